"""Compliance findings over the transcribed tiny world: what is found against what was planted,
attribution, redaction, stable ids, the status workflow, alerts and the Dagster assets."""

from __future__ import annotations

import json
import re
import shutil

import dagster as dg
import duckdb
import polars as pl
import pytest

from conversation_analytics.content import ContentEngine
from conversation_analytics.findings import build_findings
from conversation_analytics.workflow import (
    WorkflowError,
    publish_compliance_tables,
    raise_alerts,
    set_status,
)
from dagster_project.resources import WorkphoneSettings

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture(scope="module")
def found(transcribed_tiny, tmp_path_factory):
    """A copy of the transcribed tiny world with its findings built: (settings, findings)."""
    settings, _ = transcribed_tiny
    home = tmp_path_factory.mktemp("findings") / "home"
    shutil.copytree(settings.home, home)
    copy = settings.model_copy(update={"home": home})
    engine = ContentEngine.load(copy.models_dir)
    build_findings(copy.lake_store, engine)
    frame = pl.read_parquet(copy.lake_dir / "compliance_findings" / "*" / "*.parquet")
    return copy, frame, engine


def test_chat_findings_match_the_planted_violations(found, tiny_world):
    _, findings, _ = found
    planted = (pl.read_parquet(tiny_world / "ground_truth" / "utterances.parquet")
               .filter(pl.col("message_id").is_not_null() & (pl.col("speaker") == "agent"))
               .select(source_id="message_id", label="labels"))
    flagged = findings.filter((pl.col("kind") == "content") & (pl.col("medium") == "chat"))
    pairs = set(flagged.select("source_id", "label").iter_rows())
    truth = {(m, label) for m, label in planted.iter_rows() if label}
    assert len(truth) > 50
    recall = len(pairs & truth) / len(truth)
    precision = len(pairs & truth) / len(pairs)
    # measured on this world: recall 0.79, precision 0.66 (benchmarks/compliance.py reports
    # the same figures on the demo world)
    assert recall >= 0.7 and precision >= 0.55, (recall, precision)


def test_conversation_rule_finds_the_omitted_rate(found, tiny_world):
    _, findings, _ = found
    conversations = pl.read_parquet(tiny_world / "ground_truth" / "conversations.parquet")
    utterances = pl.read_parquet(tiny_world / "ground_truth" / "utterances.parquet")
    first_message = (utterances.filter(pl.col("message_id").is_not_null())
                     .group_by("conversation_id").agg(pl.col("message_id").min()))
    omitted = set(conversations.filter(pl.col("concealment_by_omission"))
                  .join(first_message, on="conversation_id")["message_id"])
    flagged = {c.removeprefix("chat:") for c in findings.filter(
        pl.col("kind") == "conversation")["conversation_id"]}
    assert omitted, "the tiny world plants conversations that omit the rate"
    # a price stated as a figure is needed: conversations that only name terms (12 or 24
    # months) are not caught, so recall is about 0.65 (precision about 0.9)
    assert len(omitted & flagged) / len(omitted) >= 0.5
    assert len(omitted & flagged) / len(flagged) >= 0.8


def test_findings_are_attributed_and_redacted(found):
    _, findings, _ = found
    assert set(findings["kind"]) == {"content", "conversation", "conduct"}
    assert findings["employee_id"].null_count() == 0
    assert set(findings["handler_type"].drop_nulls()) <= {"in_house", "agency"}
    assert findings.filter(pl.col("handler_type") == "agency")["agency_id"].null_count() == 0
    assert not any(PHONE.search(text) for text in findings["evidence"].drop_nulls())
    on_calls = findings.filter(pl.col("source_feed") == "transcripts")
    assert on_calls["utterance_start_s"].null_count() == 0
    assert on_calls["utterance_end_s"].null_count() == 0
    assert findings["rule_version"].null_count() == 0


def test_a_rebuild_keeps_ids_and_first_detection(found):
    settings, findings, engine = found
    build_findings(settings.lake_store, engine)
    again = pl.read_parquet(settings.lake_dir / "compliance_findings" / "*" / "*.parquet")
    assert again["finding_id"].n_unique() == again.height
    assert sorted(again["finding_id"]) == sorted(findings["finding_id"])
    joined = findings.join(again, on="finding_id", suffix="_again")
    assert (joined["detected_at"] == joined["detected_at_again"]).all()


def test_status_workflow_and_time_to_rectify(found):
    settings, findings, _ = found
    finding = findings["finding_id"][0]
    set_status(settings, finding, "acknowledged", by="compliance.lead")
    with pytest.raises(WorkflowError, match="acknowledged: it can move to rectified"):
        set_status(settings, finding, "acknowledged", by="compliance.lead")
    set_status(settings, finding, "rectified", by="team.lead", note="retrained the rep")
    with pytest.raises(WorkflowError, match="rectified"):
        set_status(settings, finding, "acknowledged", by="x")
    with pytest.raises(WorkflowError, match="no finding"):
        set_status(settings, "nope", "acknowledged", by="x")
    publish_compliance_tables(settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        status, hours = con.execute(
            "select status, hours_to_rectify from compliance.compliance_findings "
            "where finding_id = ?", [finding]).fetchone()
        opened = con.execute("select count(*) from compliance.compliance_findings "
                             "where status = 'open'").fetchone()[0]
    assert status == "rectified" and 0 <= hours < 1
    assert opened == findings.height - 1


def test_alerts_for_severe_findings_once(found):
    settings, findings, _ = found
    severe = findings.filter(pl.col("severity").is_in(["high", "critical"])).height
    assert 0 < severe < findings.height
    assert raise_alerts(settings) == severe
    assert raise_alerts(settings) == 0
    lines = settings.alerts_sink.read_text("utf-8").splitlines()
    assert len(lines) == severe
    assert {json.loads(line)["severity"] for line in lines} <= {"high", "critical"}


def test_dagster_assets_build_findings_features_and_alerts(transcribed_tiny, tmp_path):
    from dagster_project.defs.conversation.assets import (
        compliance_findings,
        conversation_features,
        high_severity_alerts_sensor,
    )

    settings, _ = transcribed_tiny
    home = tmp_path / "home"
    shutil.copytree(settings.lake_dir, home / "lake")
    resource = WorkphoneSettings(home=str(home))
    with dg.instance_for_test() as instance:
        result = dg.materialize([compliance_findings, conversation_features],
                                resources={"workphone": resource}, instance=instance)
        assert result.success
        metadata = result.asset_materializations_for_node(
            "lake__compliance_findings")[0].metadata
        assert metadata["findings"].value > 0
        context = dg.build_sensor_context(instance=instance, resources={"workphone": resource})
        tick = high_severity_alerts_sensor.evaluate_tick(context)
    assert "alerts raised" in tick.skip_message
    assert (home / "alerts" / "alerts.jsonl").read_text("utf-8").count("\n") > 0
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables()").fetchall()}
    assert {"compliance.compliance_findings", "compliance.alerts",
            "conversation.conversation_features", "conversation.customer_features"} <= tables
