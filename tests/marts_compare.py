"""Building the marts of a copied home through the ``warehouse_dbt`` asset, and comparing the
marts of two builds.

A build runs the asset with its models and seeds only: ``dbt build`` without the data and unit
tests, which the other DuckDB builds of the suite run. Marts are read through the home's
``warehouse.duckdb`` (tables on DuckDB, views over the Parquet tables after a Spark build), the
way every reader of the marts reads them.

Equal means: the same columns, the same number of rows and, row by row in the order of the
model's key (the columns of its ``unique_combination_of_columns`` or ``unique`` test), the same
values: numbers within a relative or absolute tolerance of 1e-9 (``math.isclose``), anything else
exactly, NULL only where the other build has NULL.
"""

from __future__ import annotations

import json
import math
import shutil
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.defs.transform.assets import warehouse_dbt
from dagster_project.defs.transform.resources import dbt_resource
from dagster_project.resources import WorkphoneSettings
from workphone.settings import Settings

TOLERANCE = 1e-9
KEY_TESTS = ("unique_combination_of_columns", "unique")


def build_marts(analysed_home: Path, home: Path, engine: str = "duckdb") -> Settings:
    """Copy ``analysed_home`` to ``home`` and build its marts on ``engine``."""
    shutil.copytree(analysed_home, home)
    return build_marts_in_place(WorkphoneSettings(home=str(home), engine=engine))


def build_marts_in_place(workphone: WorkphoneSettings) -> Settings:
    """Build the marts of the home (and lake) that ``workphone`` names."""
    result = dg.materialize(
        [warehouse_dbt], selection=dg.AssetSelection.assets(warehouse_dbt).without_checks(),
        resources={"workphone": workphone, "dbt": dbt_resource()})
    assert result.success
    return workphone.settings()


def mart_keys(manifest_path: Path) -> dict[str, list[str]]:
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


def mart_rows(settings: Settings, model: str, key: list[str]) -> tuple[list[str], list[tuple]]:
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


def mart_differences(model: str, key: list[str], first: Settings, second: Settings,
                     names: tuple[str, str] = ("duckdb", "spark")) -> list[str]:
    """What differs between ``model`` of two builds (``names`` label them in the messages)."""
    columns, first_rows = mart_rows(first, model, key)
    second_columns, second_rows = mart_rows(second, model, key)
    a_name, b_name = names
    if set(columns) != set(second_columns):
        return [f"{model}: columns only in one build: "
                f"{sorted(set(columns) ^ set(second_columns))}"]
    if len(first_rows) != len(second_rows):
        return [f"{model}: {len(first_rows)} rows on {a_name}, {len(second_rows)} on {b_name}"]
    order = [second_columns.index(c) for c in columns]
    found = []
    for first_row, second_row in zip(first_rows, second_rows, strict=True):
        for column, a, b in zip(columns, first_row, (second_row[i] for i in order), strict=True):
            if not _equal(a, b):
                at = {k: first_row[columns.index(k)] for k in key}
                found.append(f"{model} {at} {column}: {a_name} {a!r}, {b_name} {b!r}")
    return found
