"""The structure check of the dbt project: each rule on small synthetic manifests, then the
real project parsed from dbt/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workphone.dbt_structure import (
    check_direct_sources,
    check_documentation,
    check_manifest,
    check_primary_keys,
    check_view_chains,
    main,
    parse_project,
)

PROJECT = "workphone"


def model(
    name: str,
    path: str,
    *,
    depends: tuple[str, ...] = (),
    materialized: str = "table",
    description: str = "A model.",
    columns: dict[str, str] | None = None,
    enforced: bool = False,
    constraints: tuple[dict[str, Any], ...] = (),
    column_constraints: dict[str, list[dict[str, Any]]] | None = None,
    package: str = PROJECT,
) -> dict[str, Any]:
    """A model node shaped like dbt 1.11's manifest (only the keys the check reads)."""
    columns = {"id": "Key."} if columns is None else columns
    column_constraints = column_constraints or {}
    return {
        "resource_type": "model",
        "unique_id": f"model.{package}.{name}",
        "name": name,
        "package_name": package,
        "path": path,
        "original_file_path": f"models/{path}",
        "description": description,
        "depends_on": {"macros": [], "nodes": list(depends)},
        "config": {"materialized": materialized,
                   "contract": {"enforced": enforced, "alias_types": True}},
        "contract": {"enforced": enforced, "alias_types": True, "checksum": None},
        "constraints": list(constraints),
        "columns": {
            column: {"name": column, "description": text,
                     "constraints": column_constraints.get(column, [])}
            for column, text in columns.items()
        },
    }


def data_test(
    on: str, name: str, column: str | None = None, *, attached: bool = True, **kwargs: Any
) -> dict[str, Any]:
    """A generic test node on model ``on``."""
    model_id = f"model.{PROJECT}.{on}"
    if column is not None:
        kwargs["column_name"] = column
    return {
        "resource_type": "test",
        "unique_id": f"test.{PROJECT}.{name}_{on}_{column}",
        "attached_node": model_id if attached else None,
        "column_name": column,
        "test_metadata": {"name": name, "kwargs": kwargs, "namespace": None},
        "depends_on": {"macros": [f"macro.dbt.test_{name}"], "nodes": [model_id]},
    }


def key_tests(*models: str) -> list[dict[str, Any]]:
    return [data_test(m, name, "id") for m in models for name in ("unique", "not_null")]


def manifest(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"project_name": PROJECT},
        "nodes": {n["unique_id"]: n for n in nodes},
        "sources": {
            "source.workphone.lake.calls": {
                "resource_type": "source", "source_name": "lake", "name": "calls"},
        },
    }


SOURCE = "source.workphone.lake.calls"
STG = "model.workphone.stg_lake__calls"


def stg() -> dict[str, Any]:
    return model("stg_lake__calls", "staging/lake/stg_lake__calls.sql", depends=(SOURCE,),
                 materialized="view")


def rules(violations: list[Any]) -> list[tuple[str, str]]:
    return sorted((v.rule, v.unique_id) for v in violations)


# --- direct_source_in_mart ---------------------------------------------------------------

def test_staging_may_read_sources_and_marts_ref_staging() -> None:
    fct = model("fct_calls", "marts/fct_calls.sql", depends=(STG,))
    assert check_direct_sources(manifest(stg(), fct)) == []


@pytest.mark.parametrize("name, path", [
    ("fct_calls", "marts/fct_calls.sql"),
    ("dim_agents", "marts/core/dim_agents.sql"),
    ("rpt_daily", "marts/rpt_daily.sql"),
    ("int_calls_joined", "intermediate/int_calls_joined.sql"),
    ("loose_model", "loose_model.sql"),
])
def test_a_model_outside_staging_reading_a_source_is_flagged(name: str, path: str) -> None:
    node = model(name, path, depends=(STG, SOURCE))
    [violation] = check_direct_sources(manifest(stg(), node))
    assert violation.rule == "direct_source_in_mart"
    assert violation.unique_id == node["unique_id"]
    assert name in violation.message and f"models/{path}" in violation.message
    assert "lake.calls" in violation.message and "staging" in violation.message


# --- missing_primary_key_test --------------------------------------------------------------

def test_unique_and_not_null_on_one_column_is_a_primary_key() -> None:
    assert check_primary_keys(manifest(stg(), *key_tests("stg_lake__calls"))) == []


def test_a_test_found_through_depends_on_alone_counts() -> None:
    tests = [data_test("stg_lake__calls", "unique", "id", attached=False),
             data_test("stg_lake__calls", "not_null", "id", attached=False)]
    assert check_primary_keys(manifest(stg(), *tests)) == []


def test_unique_combination_of_columns_is_a_primary_key() -> None:
    test = data_test("stg_lake__calls", "unique_combination_of_columns",
                     combination_of_columns=["id", "day"])
    assert check_primary_keys(manifest(stg(), test)) == []


def test_an_enforced_primary_key_constraint_is_a_primary_key() -> None:
    on_model = model("fct_a", "marts/fct_a.sql", enforced=True,
                     constraints=({"type": "primary_key", "columns": ["id"]},))
    on_column = model("fct_b", "marts/fct_b.sql", enforced=True,
                      column_constraints={"id": [{"type": "primary_key"}]})
    assert check_primary_keys(manifest(on_model, on_column)) == []


@pytest.mark.parametrize("nodes", [
    pytest.param([], id="no tests"),
    pytest.param([data_test("stg_lake__calls", "unique", "id")], id="unique only"),
    pytest.param([data_test("stg_lake__calls", "not_null", "id")], id="not_null only"),
    pytest.param([data_test("stg_lake__calls", "unique", "id"),
                  data_test("stg_lake__calls", "not_null", "day")], id="different columns"),
    pytest.param([data_test("stg_lake__calls", "accepted_range", "id", min_value=0)],
                 id="another test"),
    pytest.param(key_tests("other_model"), id="tests of another model"),
])
def test_a_model_without_a_key_test_is_flagged(nodes: list[dict[str, Any]]) -> None:
    [violation] = check_primary_keys(manifest(stg(), *nodes))
    assert (violation.rule, violation.unique_id) == ("missing_primary_key_test", STG)
    assert "stg_lake__calls" in violation.message
    assert "unique_combination_of_columns" in violation.message


def test_a_constraint_without_an_enforced_contract_does_not_count() -> None:
    node = model("fct_a", "marts/fct_a.sql",
                 constraints=({"type": "primary_key", "columns": ["id"]},))
    assert rules(check_primary_keys(manifest(node))) == [
        ("missing_primary_key_test", "model.workphone.fct_a")]


# --- undocumented_model ------------------------------------------------------------------

def test_a_documented_model_passes() -> None:
    node = model("fct_a", "marts/fct_a.sql", columns={"id": "Key.", "day": "Day."})
    assert check_documentation(manifest(node)) == []


def test_an_empty_model_description_is_flagged() -> None:
    [violation] = check_documentation(manifest(model("fct_a", "marts/fct_a.sql",
                                                     description="  ")))
    assert (violation.rule, violation.unique_id) == ("undocumented_model", "model.workphone.fct_a")
    assert "fct_a (models/marts/fct_a.sql)" in violation.message
    assert "no description for the model;" in violation.message


def test_an_empty_column_description_is_flagged_naming_the_column() -> None:
    node = model("fct_a", "marts/fct_a.sql", columns={"id": "Key.", "day": "", "n": " "})
    [violation] = check_documentation(manifest(node))
    assert "no description for column(s) day, n;" in violation.message


# --- view_chain_too_long -----------------------------------------------------------------

def view_chain(length: int, *, table_at: int | None = None) -> list[dict[str, Any]]:
    """v1 <- v2 <- ... <- v<length>, each a view except number ``table_at``."""
    return [
        model(f"v{i}", f"intermediate/v{i}.sql",
              depends=(f"model.workphone.v{i - 1}",) if i > 1 else (),
              materialized="table" if i == table_at else "view")
        for i in range(1, length + 1)
    ]


def test_five_views_in_a_row_pass() -> None:
    assert check_view_chains(manifest(*view_chain(5))) == []


def test_six_views_in_a_row_are_flagged_once_at_the_end() -> None:
    [violation] = check_view_chains(manifest(*view_chain(6)))
    assert (violation.rule, violation.unique_id) == ("view_chain_too_long", "model.workphone.v6")
    assert "v1 -> v2 -> v3 -> v4 -> v5 -> v6" in violation.message


def test_a_table_breaks_the_chain() -> None:
    assert check_view_chains(manifest(*view_chain(9, table_at=5))) == []


def test_each_end_of_a_branching_chain_is_flagged() -> None:
    branch = model("v7", "intermediate/v7.sql", depends=("model.workphone.v5",),
                   materialized="view")
    found = rules(check_view_chains(manifest(*view_chain(6), branch)))
    assert found == [("view_chain_too_long", "model.workphone.v6"),
                     ("view_chain_too_long", "model.workphone.v7")]


# --- the whole check and the CLI ---------------------------------------------------------

def test_models_of_other_packages_are_not_checked() -> None:
    foreign = model("fct_x", "marts/fct_x.sql", depends=(SOURCE,), description="",
                    package="some_package")
    assert check_manifest(manifest(stg(), *key_tests("stg_lake__calls"), foreign)) == []


def test_cli_exits_1_listing_violations_and_0_when_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad, good = tmp_path / "bad.json", tmp_path / "good.json"
    bad.write_text(json.dumps(manifest(stg())), encoding="utf-8")
    good.write_text(json.dumps(manifest(stg(), *key_tests("stg_lake__calls"))), encoding="utf-8")

    assert main(["--manifest", str(bad)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "missing_primary_key_test: stg_lake__calls (models/staging/lake/stg_lake__calls.sql) has"
        " no primary-key test: add unique and not_null tests to its key column, or a"
        " unique_combination_of_columns test for a multi-column key"]
    assert main(["--manifest", str(good)]) == 0
    assert capsys.readouterr().out == "ok: 1 models checked\n"


def test_the_real_project_passes_the_structure_check(tmp_path: Path) -> None:
    parsed = parse_project(tmp_path / "target")
    models = [n for n in parsed["nodes"].values() if n["resource_type"] == "model"]
    assert models, "dbt parse found no models"
    assert [str(v) for v in check_manifest(parsed)] == []
