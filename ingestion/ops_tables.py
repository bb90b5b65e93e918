"""Ingestion's own tables in the warehouse: what was quarantined, and what each file gave.

``ops.quarantine`` (one row per broken record: feed, source file and line, reason, the payload
encrypted) and ``ops.ingested_files`` (one row per raw file: read, landed, quarantined,
duplicates) are rebuilt from the lake after every ingestion run.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.lake import Lake


def publish_ops_tables(lake: Lake, warehouse: Path) -> None:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    quarantine = lake.quarantine_glob()
    manifests = str(lake.root / "_manifest" / "*" / "*.parquet")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists ops")
        if any(lake.root.glob("quarantine/feed=*/*.parquet")):
            con.execute(f"create or replace table ops.quarantine as "
                        f"select * from read_parquet('{quarantine}') order by feed, source_file,"
                        f" source_line")
        else:
            con.execute("""create or replace table ops.quarantine (
                feed varchar, source_file varchar, source_line bigint, source_sha256 varchar,
                reason varchar, payload_encrypted varchar, contract_version varchar,
                batch_id varchar, quarantined_at timestamp)""")
        if any(lake.root.glob("_manifest/*/*.parquet")):
            con.execute(f"""create or replace table ops.ingested_files as
                select regexp_extract(filename, '_manifest/([^/]+)/', 1) as feed, * exclude
                (filename) from read_parquet('{manifests}', filename = true)
                order by feed, source_file""")
