"""The relations of a dbt build on Spark, readable from ``warehouse.duckdb``.

On the ``spark`` engine dbt writes every model and seed as a Parquet table under the Spark
warehouse folder (``<spark warehouse>/<schema>.db/<table>/``, partitioned tables in
``<column>=<value>/`` folders). After the build each of them gets a view of the same name in
``warehouse.duckdb`` (``marts.fct_calls`` over ``marts.db/fct_calls/``), so the models, the
search index and the dashboard read the marts of either engine the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class SparkTable:
    schema: str
    name: str
    folder: Path

    @property
    def partitioned(self) -> bool:
        return any(p.is_dir() and "=" in p.name for p in self.folder.iterdir())

    def scan(self) -> str:
        """DuckDB's read of the table's Parquet files (hidden ``.crc`` and ``_SUCCESS`` files
        left out)."""
        pattern = str(self.folder / ("*/*.parquet" if self.partitioned else "*.parquet"))
        quoted = pattern.replace("'", "''")
        return (f"read_parquet('{quoted}', hive_partitioning = "
                f"{'true' if self.partitioned else 'false'})")


def spark_tables(warehouse_dir: Path) -> list[SparkTable]:
    """Every table of the Spark warehouse folder that holds Parquet files, by schema and name
    (a partitioned table with no partition yet has none, and is left out)."""
    tables = []
    for schema_dir in sorted(warehouse_dir.glob("*.db")):
        for folder in sorted(p for p in schema_dir.iterdir() if p.is_dir()):
            table = SparkTable(schema_dir.name.removesuffix(".db"), folder.name, folder)
            if any(folder.glob("*.parquet")) or any(folder.glob("*=*/*.parquet")):
                tables.append(table)
    return tables


def register_spark_tables(warehouse_dir: Path, duckdb_path: Path) -> list[str]:
    """Create or replace a view in ``duckdb_path`` over every table of ``warehouse_dir``;
    return their names (``schema.table``). A DuckDB table of the same name (from a build on
    the duckdb engine) is dropped first."""
    tables = spark_tables(warehouse_dir)
    if not tables:
        raise FileNotFoundError(
            f"no Parquet table under {warehouse_dir}: the dbt build on Spark wrote nothing "
            f"there (is spark.sql.warehouse.dir of the spark target in dbt/profiles.yml this "
            f"folder?)")
    duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(duckdb_path)) as con:
        existing = set(con.execute("select schema_name, table_name from duckdb_tables()")
                       .fetchall())
        for table in tables:
            con.execute(f'create schema if not exists "{table.schema}"')
            relation = f'"{table.schema}"."{table.name}"'
            if (table.schema, table.name) in existing:
                con.execute(f"drop table {relation}")
            con.execute(f"create or replace view {relation} as select * from {table.scan()}")
    return [f"{t.schema}.{t.name}" for t in tables]
