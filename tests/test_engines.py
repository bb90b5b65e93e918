"""The warehouse on both engines: the dbt project built on DuckDB and on Spark (a local session,
``WORKPHONE_ENGINE=spark``) over the same lake, the transcribed tiny world with its findings
and features, gives the same marts: every ``rpt_`` model, and the ``fct_`` and ``dim_`` models
they are built from.

Both builds go through the ``warehouse_dbt`` asset with its models and seeds only (the data and
unit tests would add minutes on Spark on 2 cores); how they are built and what equal means:
``marts_compare``. The Spark marts are read through the views the asset registers in that
home's ``warehouse.duckdb``.
"""

from __future__ import annotations

import duckdb
import pytest
from marts_compare import build_marts, mart_differences, mart_keys, mart_rows
from pydantic import ValidationError

from dagster_project.defs.transform.resources import dbt_env
from dagster_project.resources import WorkphoneSettings
from workphone.settings import Settings


def test_the_engine_picks_the_dbt_target(tmp_path):
    home = {"WORKPHONE_HOME": str(tmp_path)}
    assert dbt_env(Settings.from_env(home))["WORKPHONE_DBT_TARGET"] == "duckdb"
    spark = Settings.from_env({**home, "WORKPHONE_ENGINE": "spark"})
    assert dbt_env(spark)["WORKPHONE_DBT_TARGET"] == "spark"
    assert WorkphoneSettings(home=str(tmp_path), engine="spark").settings().engine == "spark"
    with pytest.raises(ValidationError, match="'duckdb' or 'spark'"):
        Settings.from_env({**home, "WORKPHONE_ENGINE": "hive"})


@pytest.fixture(scope="module")
def spark_build(analysed_home, tmp_path_factory) -> Settings:
    return build_marts(analysed_home, tmp_path_factory.mktemp("engines") / "spark", "spark")


def test_marts_are_equal_on_duckdb_and_spark(duckdb_build, spark_build):
    duck, spark = duckdb_build, spark_build
    with duckdb.connect(str(spark.warehouse_path), read_only=True) as con:
        views = {r[0] for r in con.execute(
            "select view_name from duckdb_views() where schema_name = 'marts'").fetchall()}
    keys = mart_keys(duck.dbt_target_dir / "manifest.json")
    reports = sorted(model for model in keys if model.startswith("rpt_"))
    assert len(reports) >= 12, reports
    assert set(keys) <= views, "the Spark build's marts are not views over its Parquet tables"
    assert (spark.spark_warehouse_dir / "marts.db" / "rpt_kpi_quarterly").is_dir()
    rows = {model: len(mart_rows(duck, model, keys[model])[1]) for model in reports}
    assert all(rows[model] > 0 for model in reports), rows
    differences = [d for model, key in sorted(keys.items())
                   for d in mart_differences(model, key, duck, spark)]
    assert not differences, f"{len(differences)} differences:\n" + "\n".join(differences[:30])
