"""The dbt project as Dagster assets: the Definitions load with the models and their tests as
checks, every dbt source hangs off the asset that writes it, the manifest is prepared on a
fresh checkout, and the staging models materialise over the tiny world (through Dagster and
through ``workphone run``)."""

from __future__ import annotations

import json
import shutil

import dagster as dg
import duckdb
import pytest
from dagster_dbt import DbtProject
from typer.testing import CliRunner

from dagster_project.defs.conversation.assets import FEATURES, FINDINGS
from dagster_project.defs.ingestion.assets import lake_key
from dagster_project.defs.speech.assets import TRANSCRIPTS
from dagster_project.defs.transform.assets import warehouse_dbt
from dagster_project.defs.transform.project import (
    DBT_DIR,
    MANIFEST_TARGET,
    dbt_project,
    manifest_is_stale,
    prepare_manifest,
)
from dagster_project.defs.transform.resources import dbt_resource
from dagster_project.defs.transform.translator import (
    FEED_KEYS,
    WorkphoneDbtTranslator,
    upstream_keys,
)
from dagster_project.resources import WorkphoneSettings


def _key(path: str) -> dg.AssetKey:
    return dg.AssetKey.from_user_string(path)


@pytest.fixture(scope="module")
def defs():
    from dagster_project.definitions import defs

    return defs


def test_definitions_have_the_models_tests_and_jobs(defs):
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    assert {_key("staging/stg_lake__calls"), _key("staging/stg_speech__transcripts"),
            _key("staging/stg_ops__quarantine")} <= keys
    assert set(warehouse_dbt.keys) <= keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("staging/stg_speech__transcriptions", "unique_stg_speech__transcriptions_call_id") \
        in checks
    assert ("staging/stg_lake__calls", "not_null_stg_lake__calls_call_id") in checks
    assert len(warehouse_dbt.check_keys) > 50
    job = defs.resolve_job_def("warehouse_job")
    assert {lake_key("calls"), TRANSCRIPTS, FINDINGS, FEATURES,
            _key("staging/stg_lake__calls")} <= set(job.asset_layer.selected_asset_keys)
    assert _key("simulated_world") not in job.asset_layer.selected_asset_keys
    assert defs.resolve_job_def("ingest_job")
    assert {s.name for s in defs.schedules} == {"ingest_job_schedule"}
    assert {s.name for s in defs.sensors} == {"raw_arrivals_sensor",
                                              "high_severity_alerts_sensor"}


def test_sources_hang_off_the_assets_that_write_them(defs):
    graph = defs.resolve_asset_graph()
    produced = {key for assets_def in defs.assets if assets_def is not warehouse_dbt
                for key in assets_def.keys}
    manifest = json.loads(dbt_project.manifest_path.read_text("utf-8"))
    translator = WorkphoneDbtTranslator()
    for unique_id, source in manifest["sources"].items():
        for key in upstream_keys(translator.get_asset_key(source)):
            assert key in produced, f"{unique_id} maps to {key}, which no asset writes"
    parents = {key: graph.get(key).parent_keys for key in warehouse_dbt.keys}
    assert parents[_key("staging/stg_lake__calls")] == {lake_key("calls")}
    assert parents[_key("staging/stg_speech__transcripts")] == {TRANSCRIPTS}
    assert parents[_key("staging/stg_speech__transcriptions")] == {TRANSCRIPTS}
    assert parents[_key("staging/stg_conversation__compliance_findings")] == {FINDINGS}
    assert parents[_key("staging/stg_conversation__alerts")] == {FINDINGS}
    assert parents[_key("staging/stg_conversation__conversation_features")] == {FEATURES}
    assert parents[_key("staging/stg_ops__quarantine")] == set(FEED_KEYS)
    for key, upstream in parents.items():  # no dangling source: all are materialisable
        assert all(graph.get(p).is_materializable for p in upstream), key


def test_manifest_is_prepared_on_a_fresh_checkout(tmp_path, monkeypatch):
    project_dir = tmp_path / "dbt"
    shutil.copytree(DBT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setenv("WORKPHONE_HOME", str(tmp_path / "no-home"))
    monkeypatch.setenv("WORKPHONE_LAKE", str(tmp_path / "no-lake"))
    project = DbtProject(project_dir, profiles_dir=project_dir, target_path=MANIFEST_TARGET)
    assert not project.manifest_path.exists()
    prepare_manifest(project)
    manifest = json.loads(project.manifest_path.read_text("utf-8"))
    assert "model.workphone.stg_lake__calls" in manifest["nodes"]
    assert not manifest_is_stale(project)
    assert not (tmp_path / "no-home").exists() and not (tmp_path / "no-lake").exists()
    # A model that does not parse: the last good manifest is kept, with a warning.
    (project_dir / "models" / "staging" / "broken.sql").write_text(
        "select * from {{ ref('no_such_model') }}\n", encoding="utf-8")
    assert manifest_is_stale(project)
    with pytest.warns(UserWarning, match="dbt parse failed"):
        prepare_manifest(project)
    assert project.manifest_path.exists()


def _staging_views(home) -> set[str]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {r[0] for r in con.execute(
            "select view_name from duckdb_views() where schema_name = 'staging'").fetchall()}


def test_staging_models_materialise_with_their_checks(analysed_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(analysed_home, home)
    # The staging models with their own checks (a dbt selection would also pick the tests of
    # intermediate models that point at a staging model).
    selection = dg.AssetSelection.assets(*(key for key in warehouse_dbt.keys
                                           if key.path[0] == "staging"))
    result = dg.materialize(
        [warehouse_dbt], selection=selection,
        resources={"workphone": WorkphoneSettings(home=str(home)), "dbt": dbt_resource()})
    assert result.success
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "staging/stg_lake__calls" in built and "staging/stg_ops__quarantine" in built
    assert not any(k.startswith(("marts/", "intermediate/")) for k in built)
    assert {"stg_lake__calls", "stg_speech__transcripts", "stg_conversation__compliance_findings",
            "stg_ops__quarantine"} <= _staging_views(home)
    checks = {(c.asset_key.to_user_string(), c.check_name): c.passed
              for c in result.get_asset_check_evaluations()}
    assert checks[("staging/stg_speech__transcriptions",
                   "unique_stg_speech__transcriptions_call_id")] is True
    assert all(checks.values()), [k for k, passed in checks.items() if not passed]
    assert (home / "dbt" / "target" / "run_results.json").is_file()


def test_workphone_run_materialises_every_stage(analysed_home, tmp_path, monkeypatch):
    from workphone.cli import app

    home = tmp_path / "home"
    shutil.copytree(analysed_home, home)
    monkeypatch.setenv("WORKPHONE_HOME", str(home))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    result = CliRunner().invoke(app, ["run", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    stages = {s["stage"]: s for s in summary["stages"]}
    assert stages["ingest"]["status"] == "skipped"        # the copied raw files are ingested
    assert stages["speech"]["status"] == "ok"
    assert stages["speech"]["note"] == "0 recordings transcribed"
    assert stages["conversation"]["status"] == "ok" and "findings" in stages["conversation"]["note"]
    assert stages["dbt"]["status"] == "ok"
    assert stages["models"]["status"] == "ok"
    assert stages["models"]["note"].startswith("credit AUC")  # no version yet: trained
    assert stages["search"]["status"] == "ok" and "turns of" in stages["search"]["note"]
    assert set(summary["dbt"]["model"]) == {"success"}
    assert summary["dbt"]["test"]["pass"] > 50 and summary["failures"] == []
    assert summary["marts"]["rpt_kpi_quarterly"] > 0 and summary["marts"]["fct_calls"] > 0
    assert "stage 4/6 dbt build" in result.stderr
    assert "stg_lake__calls" in _staging_views(home)
