"""The product's Dagster definitions (``dagster dev`` loads them through workspace.yaml)."""

import dagster as dg

from dagster_project.defs.conversation.assets import (
    compliance_findings,
    conversation_features,
    high_severity_alerts_sensor,
)
from dagster_project.defs.ingestion.assets import ingest_raw_feeds
from dagster_project.defs.ingestion.automation import (
    ingest_daily_schedule,
    ingest_job,
    raw_arrivals_sensor,
)
from dagster_project.defs.speech.assets import transcripts
from dagster_project.defs.world.assets import simulated_world
from dagster_project.resources import WorkphoneSettings

defs = dg.Definitions(
    assets=[simulated_world, ingest_raw_feeds, transcripts, compliance_findings,
            conversation_features],
    jobs=[ingest_job],
    schedules=[ingest_daily_schedule],
    sensors=[raw_arrivals_sensor, high_severity_alerts_sensor],
    resources={"workphone": WorkphoneSettings()},
)
