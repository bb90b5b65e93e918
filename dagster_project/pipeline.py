"""One pass of the whole warehouse over what ``WORKPHONE_HOME/raw`` holds (``workphone run``).

Every stage is a run of ``warehouse_job`` executed in process, one after the other against one
Dagster instance (the one ``DAGSTER_HOME`` names, else an ephemeral one), so each shows up as a
real materialisation with its metadata and checks:

1. ingest     ``ingest_raw_feeds`` over the range of delivery days that have files not yet
              ingested (one single-run backfill; already-ingested files in it are skipped),
2. speech     ``lake/transcripts`` over every delivery day with recorded calls (only recordings
              the current model has not transcribed are due),
3. conversation  ``lake/compliance_findings`` and ``lake/conversation_features``, then the
              alerts sensor evaluated once (alerts for new high-severity findings),
4. dbt        the dbt models (all, or a dbt selection) with their tests as asset checks,
5. models     the best-time-to-call and credit models scored (after a whole dbt build only),
              each trained and registered first when its latest version is older than
              ``WORKPHONE_MODEL_MAX_AGE_DAYS`` (or missing, or ``retrain`` is asked for),
6. search     the dashboard's full-text index of every transcript and chat (after a whole dbt
              build only).

A stage that fails stops the pass; its error is in the summary.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.defs.conversation.assets import (
    FEATURES,
    FINDINGS,
    high_severity_alerts_sensor,
)
from dagster_project.defs.ingestion.assets import CONTRACTS, lake_key
from dagster_project.defs.ingestion.partitions import delivery_days
from dagster_project.defs.ml.call_time import CALL_TIME_MODEL, CALL_TIME_RECOMMENDATIONS
from dagster_project.defs.ml.credit import CREDIT_MODEL, CREDIT_SCORES
from dagster_project.defs.search.assets import SEARCH_TURNS
from dagster_project.defs.speech.assets import TRANSCRIPTS
from dagster_project.defs.transform.assets import warehouse_dbt
from dagster_project.defs.transform.jobs import warehouse_job
from dagster_project.defs.transform.resources import dbt_resource, dbt_target_path
from dagster_project.resources import WorkphoneSettings
from ingestion.arrivals import pending_days
from ingestion.lake import Lake
from models_ml.call_time.pipeline import NAME as CALL_TIME_NAME
from models_ml.credit.pipeline import NAME as CREDIT_NAME
from models_ml.registry import needs_training
from speech_analytics.batch import recorded_days
from workphone.settings import Settings

# Each registered model (models_ml.registry) with its training asset and its scoring asset.
ML_MODELS = {CALL_TIME_NAME: (CALL_TIME_MODEL, CALL_TIME_RECOMMENDATIONS),
             CREDIT_NAME: (CREDIT_MODEL, CREDIT_SCORES)}
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


@dataclass
class StageResult:
    name: str
    status: str                      # ok | failed | skipped
    seconds: float = 0.0
    note: str = ""
    metadata: dict[str, dict] = field(default_factory=dict)


@dataclass
class PassSummary:
    stages: list[StageResult] = field(default_factory=list)
    marts: dict[str, int] = field(default_factory=dict)
    dbt: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return all(s.status != "failed" for s in self.stages) and not self.failures

    def as_dict(self) -> dict:
        return {"success": self.success,
                "stages": [{"stage": s.name, "status": s.status, "seconds": round(s.seconds, 1),
                            **({"note": s.note} if s.note else {})} for s in self.stages],
                "dbt": self.dbt, "failures": self.failures, "marts": self.marts}


def _instance() -> dg.DagsterInstance:
    from dagster._core.errors import DagsterHomeNotSetError

    try:
        return dg.DagsterInstance.get()
    except DagsterHomeNotSetError:
        return dg.DagsterInstance.ephemeral()


def _definitions(resources: dict) -> dg.Definitions:
    """The product's assets and ``warehouse_job`` bound to the resources of this pass."""
    from dagster_project.definitions import defs

    return dg.Definitions(assets=list(defs.assets or []), jobs=[warehouse_job],
                          resources=resources)


def _run(instance: dg.DagsterInstance, defs: dg.Definitions, name: str,
         keys: Sequence[dg.AssetKey], tags: dict[str, str] | None = None) -> StageResult:
    job = defs.resolve_job_def(warehouse_job.name)
    # dagster-dbt echoes dbt's log to stdout: keep stdout for the summary.
    with contextlib.redirect_stdout(sys.stderr):
        result = job.execute_in_process(instance=instance, asset_selection=list(keys),
                                        tags=tags or {}, raise_on_error=False,
                                        run_config=_quiet_logs())
    stats = instance.get_run_stats(result.run_id)
    seconds = (stats.end_time or 0) - (stats.start_time or 0)
    metadata = {e.asset_key.to_user_string(): {k: v.value for k, v in
                                               e.materialization.metadata.items()}
                for e in result.get_asset_materialization_events()}
    if result.success:
        return StageResult(name, "ok", seconds, metadata=metadata)
    failures = [e.step_key or "" for e in result.all_events if e.is_step_failure]
    return StageResult(name, "failed", seconds, note=f"failed steps: {', '.join(failures)} "
                       f"(run {result.run_id})", metadata=metadata)


def _quiet_logs() -> dict:
    """Asset progress (INFO) on the console; Dagster's own step events (DEBUG) left out."""
    return {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _window(days: Sequence[str]) -> tuple[str, str] | None:
    return (min(days), max(days)) if days else None


def run_pass(settings: Settings, models: str | None = None, exclude: str | None = None,
             say: Callable[[str], None] = print, dbt: bool = True,
             speech: bool = True, ml: bool = True, retrain: bool = False) -> PassSummary:
    """Ingest, transcribe, rebuild findings and features, dbt build (``models`` and
    ``exclude``: dbt selections, default every model; ``dbt=False``: stop before it;
    ``speech=False``: leave the recordings untranscribed; ``ml=False``: stop after the dbt
    build, with no model trained or scored and no search index built; ``retrain``: train new
    model versions however recent the latest are); return what happened."""
    summary = PassSummary()
    instance = _instance()
    workphone = WorkphoneSettings(home=str(settings.home), lake=settings.lake_uri,
                                  engine=settings.engine)
    defs = _definitions({"workphone": workphone, "dbt": dbt_resource()})
    partitions = set(delivery_days.get_partition_keys())

    pending = list(pending_days(settings.raw_dir, Lake(settings.lake_store)))
    outside = [d for d in pending if d not in partitions]
    if outside:
        say(f"{len(outside)} delivery days outside the partitions ({min(outside)}..."
            f"{max(outside)}) are left out: set WORKPHONE_PARTITIONS_START to include them")
    window = _window([d for d in pending if d in partitions])
    if window:
        say(f"stage 1/6 ingest: delivery days {window[0]} .. {window[1]}")
        stage = _run(instance, defs, "ingest", [lake_key(f) for f in CONTRACTS],
                     {RANGE_START: window[0], RANGE_END: window[1]})
        landed = sum(m.get("landed", 0) for m in stage.metadata.values())
        quarantined = sum(m.get("quarantined", 0) for m in stage.metadata.values())
        stage.note = stage.note or f"{landed} landed, {quarantined} quarantined"
    else:
        stage = StageResult("ingest", "skipped", note="no raw files pending")
    summary.stages.append(stage)
    say(f"stage 1/6 ingest: {stage.status} ({stage.note})")
    if stage.status == "failed":
        return summary

    window = _window([d for d in recorded_days(settings) if d in partitions])
    if not speech:
        stage = StageResult("speech", "skipped", note="transcription not asked for")
    elif window:
        say(f"stage 2/6 speech: delivery days {window[0]} .. {window[1]}")
        stage = _run(instance, defs, "speech", [TRANSCRIPTS],
                     {RANGE_START: window[0], RANGE_END: window[1]})
        due = stage.metadata.get(TRANSCRIPTS.to_user_string(), {}).get("recordings_due", 0)
        stage.note = stage.note or f"{due} recordings transcribed"
    else:
        stage = StageResult("speech", "skipped", note="no recorded calls in the lake")
    summary.stages.append(stage)
    say(f"stage 2/6 speech: {stage.status} ({stage.note})")
    if stage.status == "failed":
        return summary

    say("stage 3/6 conversation: findings, features, alerts")
    stage = _run(instance, defs, "conversation", [FINDINGS, FEATURES])
    if stage.status == "ok":
        findings = stage.metadata.get(FINDINGS.to_user_string(), {}).get("findings", 0)
        context = dg.build_sensor_context(instance=instance, resources={"workphone": workphone})
        tick = high_severity_alerts_sensor.evaluate_tick(context)
        stage.note = f"{findings} findings; {tick.skip_message or 'no new findings'}"
    summary.stages.append(stage)
    say(f"stage 3/6 conversation: {stage.status} ({stage.note})")
    if stage.status == "failed" or not dbt:
        return summary

    keys = _dbt_keys(defs, models, exclude)
    chosen = " ".join(f"{flag} {value}" for flag, value in (("--select", models),
                                                             ("--exclude", exclude)) if value)
    say(f"stage 4/6 dbt build: {len(keys)} models and seeds on {settings.engine}"
        + (f" ({chosen})" if chosen else ""))
    (dbt_target_path(settings) / "run_results.json").unlink(missing_ok=True)  # not last run's
    stage = _run(instance, defs, "dbt", keys)
    summary.dbt, summary.failures = dbt_results(dbt_target_path(settings))
    tests = summary.dbt.get("test", {})
    stage.note = stage.note or (f"{sum(summary.dbt.get('model', {}).values())} models, "
                                f"{tests.get('pass', 0)}/{sum(tests.values())} tests passed")
    summary.stages.append(stage)
    say(f"stage 4/6 dbt build: {stage.status} ({stage.note})")
    summary.marts = mart_rows(settings.warehouse_path)
    if stage.status == "failed" or models or exclude or not ml:
        return summary

    training = [name for name in ML_MODELS if retrain or needs_training(
        settings.models_dir, name, settings.model_max_age_days)]
    say("stage 5/6 models: " + (f"train {' and '.join(training)}, then " if training else "")
        + "score best time to call and the credit score")
    stage = _run(instance, defs, "models", _model_assets(training))
    stage.note = stage.note or _models_note(stage.metadata)
    summary.stages.append(stage)
    say(f"stage 5/6 models: {stage.status} ({stage.note})")

    say("stage 6/6 search: index every transcript and chat for the dashboard")
    stage = _run(instance, defs, "search", [SEARCH_TURNS])
    built = stage.metadata.get(SEARCH_TURNS.to_user_string(), {})
    stage.note = stage.note or (f"{built.get('turns', 0)} turns of "
                                f"{built.get('conversations', 0)} conversations indexed")
    summary.stages.append(stage)
    say(f"stage 6/6 search: {stage.status} ({stage.note})")
    return summary


def _model_assets(training: Sequence[str]) -> list[dg.AssetKey]:
    """Every scoring asset, and the training asset of each model in ``training``."""
    return [key for name, (model, scores) in ML_MODELS.items()
            for key in ((model, scores) if name in training else (scores,))]


def _models_note(metadata: dict[str, dict]) -> str:
    """The models stage in one line: the credit model's test AUC against bureau only (when it
    was trained), the customers scored, the answer model's test AUC (when trained) and the call
    windows recommended."""
    model = metadata.get(CREDIT_MODEL.to_user_string())
    scores = metadata.get(CREDIT_SCORES.to_user_string(), {})
    calls = metadata.get(CALL_TIME_MODEL.to_user_string())
    windows = metadata.get(CALL_TIME_RECOMMENDATIONS.to_user_string(), {})
    credit = (f"credit AUC {model.get('test_auc', float('nan')):.3f} (bureau only "
              f"{model.get('test_auc_bureau_only', float('nan')):.3f})" if model
              else "credit model reused")
    call_time = (f"answer AUC {calls.get('answer_auc', float('nan')):.3f}" if calls
                 else "model reused")
    return (f"{credit}, {scores.get('rows', 0)} scored; call time: {call_time}, "
            f"{windows.get('rows', 0)} windows for {windows.get('cases', 0)} cases")


def _dbt_keys(defs: dg.Definitions, models: str | None,
              exclude: str | None) -> list[dg.AssetKey]:
    if not models and not exclude:
        return sorted(warehouse_dbt.keys)
    from dagster_dbt import build_dbt_asset_selection

    selection = build_dbt_asset_selection([warehouse_dbt], dbt_select=models or "fqn:*",
                                          dbt_exclude=exclude or "")
    return sorted(selection.resolve(defs.resolve_asset_graph()))


def dbt_results(target: Path) -> tuple[dict[str, dict[str, int]], list[str]]:
    """Counts by resource type and status from ``run_results.json``; what failed or errored
    (``test not_null_x: fail``, ``model stg_y: error``)."""
    path = target / "run_results.json"
    if not path.exists():
        return {}, []
    counts: dict[str, dict[str, int]] = {}
    failed = []
    for result in json.loads(path.read_text("utf-8"))["results"]:
        kind = result["unique_id"].split(".")[0]
        by_status = counts.setdefault(kind, {})
        by_status[result["status"]] = by_status.get(result["status"], 0) + 1
        if result["status"] in ("fail", "error", "runtime error"):
            failed.append(f"{kind} {result['unique_id'].split('.')[2]}: {result['status']}")
    return counts, failed


def mart_rows(warehouse: Path) -> dict[str, int]:
    """Rows of every table in the ``marts`` schema of the warehouse (views over the tables of a
    build on Spark included)."""
    if not warehouse.exists():
        return {}
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException:  # another process holds it for writing
        return {}
    with con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name").fetchall()]
        return {t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0]
                for t in tables}
