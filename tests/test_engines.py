"""The warehouse on both engines: the dbt project built on DuckDB and on Spark (a local session,
``WORKPHONE_ENGINE=spark``) over the same lake, the transcribed tiny world with its findings
and features, gives the same marts: every ``rpt_`` model, and the ``fct_`` and ``dim_`` models
they are built from.

Both builds go through the ``warehouse_dbt`` asset with its models and seeds only: ``dbt build``
without the data and unit tests, which the DuckDB builds of the other tests run (on Spark they
would add minutes on 2 cores). The Spark marts are read through the views the asset registers
in that home's ``warehouse.duckdb``, the way every reader of the marts reads them.

Equal means: the same columns, the same number of rows and, row by row in the order of the
model's key (the columns of its ``unique_combination_of_columns`` or ``unique`` test), the same
values: numbers within a relative or absolute tolerance of 1e-9 (``math.isclose``), anything else
exactly, NULL only where the other engine has NULL.
"""

from __future__ import annotations

import json
import math
import shutil
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pydantic import ValidationError

from dagster_project.defs.transform.assets import warehouse_dbt
from dagster_project.defs.transform.resources import dbt_env, dbt_resource
from dagster_project.resources import WorkphoneSettings
from workphone.settings import Settings

TOLERANCE = 1e-9
KEY_TESTS = ("unique_combination_of_columns", "unique")


def test_the_engine_picks_the_dbt_target(tmp_path):
    home = {"WORKPHONE_HOME": str(tmp_path)}
    assert dbt_env(Settings.from_env(home))["WORKPHONE_DBT_TARGET"] == "duckdb"
    spark = Settings.from_env({**home, "WORKPHONE_ENGINE": "spark"})
    assert dbt_env(spark)["WORKPHONE_DBT_TARGET"] == "spark"
    assert WorkphoneSettings(home=str(tmp_path), engine="spark").settings().engine == "spark"
    with pytest.raises(ValidationError, match="'duckdb' or 'spark'"):
        Settings.from_env({**home, "WORKPHONE_ENGINE": "hive"})


def _build(analysed_home: Path, home: Path, engine: str) -> Settings:
    shutil.copytree(analysed_home, home)
    workphone = WorkphoneSettings(home=str(home), engine=engine)
    result = dg.materialize(
        [warehouse_dbt], selection=dg.AssetSelection.assets(warehouse_dbt).without_checks(),
        resources={"workphone": workphone, "dbt": dbt_resource()})
    assert result.success
    return workphone.settings()


@pytest.fixture(scope="module")
def builds(analysed_home, tmp_path_factory) -> dict[str, Settings]:
    root = tmp_path_factory.mktemp("engines")
    return {engine: _build(analysed_home, root / engine, engine) for engine in ("duckdb", "spark")}


def _mart_keys(manifest_path: Path) -> dict[str, list[str]]:
    """Every model of the marts schema with its key columns, from the tests of the manifest."""
    manifest = json.loads(manifest_path.read_text("utf-8"))
    marts = {n["name"] for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["schema"] == "marts"}
    keys: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        test = node.get("test_metadata") or {}
        model = (node.get("attached_node") or "").rsplit(".", 1)[-1]
        if test.get("name") not in KEY_TESTS or model not in marts:
            continue
        kwargs = test["kwargs"]
        columns = kwargs.get("combination_of_columns") or [kwargs["column_name"]]
        if model not in keys or test["name"] == KEY_TESTS[0]:
            keys[model] = columns
    assert marts == set(keys), f"marts without a key test: {sorted(marts - set(keys))}"
    return keys


def _rows(settings: Settings, model: str, key: list[str]) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cursor = con.execute(f"select * from marts.{model} order by {', '.join(key)}")
        return [d[0] for d in cursor.description], cursor.fetchall()


def _equal(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    numbers = (int, float, Decimal)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return a == b


def _differences(model: str, key: list[str], duck: Settings, spark: Settings) -> list[str]:
    columns, duck_rows = _rows(duck, model, key)
    spark_columns, spark_rows = _rows(spark, model, key)
    if set(columns) != set(spark_columns):
        return [f"{model}: columns only on one engine: {sorted(set(columns) ^ set(spark_columns))}"]
    if len(duck_rows) != len(spark_rows):
        return [f"{model}: {len(duck_rows)} rows on duckdb, {len(spark_rows)} on spark"]
    order = [spark_columns.index(c) for c in columns]
    found = []
    for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True):
        for column, a, b in zip(columns, duck_row, (spark_row[i] for i in order), strict=True):
            if not _equal(a, b):
                at = {k: duck_row[columns.index(k)] for k in key}
                found.append(f"{model} {at} {column}: duckdb {a!r}, spark {b!r}")
    return found


def test_marts_are_equal_on_duckdb_and_spark(builds):
    duck, spark = builds["duckdb"], builds["spark"]
    with duckdb.connect(str(spark.warehouse_path), read_only=True) as con:
        views = {r[0] for r in con.execute(
            "select view_name from duckdb_views() where schema_name = 'marts'").fetchall()}
    keys = _mart_keys(duck.dbt_target_dir / "manifest.json")
    reports = sorted(model for model in keys if model.startswith("rpt_"))
    assert len(reports) >= 12, reports
    assert set(keys) <= views, "the Spark build's marts are not views over its Parquet tables"
    assert (spark.spark_warehouse_dir / "marts.db" / "rpt_kpi_quarterly").is_dir()
    rows = {model: len(_rows(duck, model, keys[model])[1]) for model in reports}
    assert all(rows[model] > 0 for model in reports), rows
    differences = [d for model, key in sorted(keys.items())
                   for d in _differences(model, key, duck, spark)]
    assert not differences, f"{len(differences)} differences:\n" + "\n".join(differences[:30])
