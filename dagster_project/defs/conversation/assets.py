"""Conversation analytics: compliance findings over every transcript, chat and contact record,
their alerts, and the conversation features.

``lake/compliance_findings`` is rebuilt whole from the lake (finding ids are stable, so statuses
and alerts, kept in their own append-only logs, survive the rebuild). A sensor raises an alert
for each new finding of high or critical severity as soon as it lands.
"""

import dagster as dg

from conversation_analytics.content import ContentEngine
from conversation_analytics.content_rules import load_rules
from conversation_analytics.feature_build import build_features
from conversation_analytics.findings import build_findings
from conversation_analytics.workflow import publish_compliance_tables, raise_alerts
from dagster_project.defs.ingestion.assets import lake_key
from dagster_project.defs.speech.assets import TRANSCRIPTS
from dagster_project.resources import WorkphoneSettings

FINDINGS = dg.AssetKey(["lake", "compliance_findings"])
FEATURES = dg.AssetKey(["lake", "conversation_features"])
ALERT_SEVERITY = "high"


@dg.asset(
    key=FINDINGS,
    deps=[TRANSCRIPTS, *(lake_key(f) for f in ("calls", "messages", "sms", "friend_adds",
                                               "visit_checkins", "gps_pings", "employees",
                                               "loans", "collection_cases"))],
    group_name="compliance",
    kinds={"parquet", "duckdb"},
    description="Content findings (rules + model, per utterance and per conversation) and "
                "conduct findings (contact metadata), attributed to employee, team and handler.",
)
def compliance_findings(context: dg.AssetExecutionContext,
                        workphone: WorkphoneSettings) -> dg.MaterializeResult:
    settings = workphone.settings()
    engine = ContentEngine.load(settings.models_dir)
    counts = build_findings(settings.lake_store, engine, progress=context.log.info)
    publish_compliance_tables(settings)
    return dg.MaterializeResult(metadata={
        "findings": sum(counts.values()),
        **{f"label/{label}": n for label, n in counts.items()},
        "rules_version": load_rules().version,
        "model_version": engine.model.version,
    })


@dg.asset_sensor(asset_key=FINDINGS, minimum_interval_seconds=60,
                 description="Raises an alert (compliance.alerts and the alert sink) for every "
                             "new high or critical finding.")
def high_severity_alerts_sensor(context: dg.SensorEvaluationContext, asset_event,
                                workphone: WorkphoneSettings) -> dg.SkipReason:
    settings = workphone.settings()
    raised = raise_alerts(settings, ALERT_SEVERITY)
    if raised:
        publish_compliance_tables(settings)
    return dg.SkipReason(f"{raised} alerts raised to {settings.alerts_sink}")


@dg.asset(
    key=FEATURES,
    deps=[TRANSCRIPTS, lake_key("calls"), lake_key("messages"), lake_key("employees")],
    group_name="conversation",
    kinds={"parquet", "duckdb"},
    description="Per conversation: talk/listen, silence, interruptions, first response, rounds, "
                "hostility, intent, demands, objections, pitch, promises; per customer: their "
                "aggregates (lake/customer_features); promises to pay (lake/promises_to_pay).",
)
def conversation_features(context: dg.AssetExecutionContext,
                          workphone: WorkphoneSettings) -> dg.MaterializeResult:
    settings = workphone.settings()
    counts = build_features(settings.lake_store, settings.warehouse_path)
    return dg.MaterializeResult(metadata={f"rows/{name}": n for name, n in counts.items()})
