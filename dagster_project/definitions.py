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
from dagster_project.defs.ml.call_time import call_time_model, call_time_recommendations
from dagster_project.defs.ml.credit import credit_model, credit_scores
from dagster_project.defs.search.assets import search_turns
from dagster_project.defs.speech.assets import transcripts
from dagster_project.defs.transform.assets import warehouse_dbt
from dagster_project.defs.transform.jobs import warehouse_job
from dagster_project.defs.transform.resources import dbt_resource
from dagster_project.defs.world.assets import simulated_world
from dagster_project.resources import WorkphoneSettings

defs = dg.Definitions(
    assets=[simulated_world, ingest_raw_feeds, transcripts, compliance_findings,
            conversation_features, warehouse_dbt, call_time_model, call_time_recommendations,
            credit_model, credit_scores, search_turns],
    jobs=[ingest_job, warehouse_job],
    schedules=[ingest_daily_schedule],
    sensors=[raw_arrivals_sensor, high_severity_alerts_sensor],
    resources={"workphone": WorkphoneSettings(), "dbt": dbt_resource()},
)
