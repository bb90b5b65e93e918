"""When ingestion runs: a sensor for newly delivered files and a daily schedule."""

import dagster as dg

from dagster_project.defs.ingestion.assets import ingest_raw_feeds
from dagster_project.defs.ingestion.partitions import delivery_days
from dagster_project.resources import WorkphoneSettings
from ingestion.arrivals import pending_days
from ingestion.lake import Lake

MAX_DAYS_PER_TICK = 31

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.assets(ingest_raw_feeds),
    partitions_def=delivery_days,
    description="Ingest the raw deliveries of a day into the lake.",
)

ingest_daily_schedule = dg.build_schedule_from_partitioned_job(
    ingest_job, hour_of_day=2, minute_of_hour=30,
    description="Every night: ingest the previous day's deliveries.",
)


@dg.sensor(job=ingest_job, minimum_interval_seconds=300,
           description="Starts an ingestion run for each delivery day with files not yet "
                       "ingested (a day redelivered later gets a new run).")
def raw_arrivals_sensor(context: dg.SensorEvaluationContext,
                        workphone: WorkphoneSettings) -> dg.SensorResult:
    settings = workphone.settings()
    if not settings.raw_dir.exists():
        return dg.SensorResult(skip_reason=f"no raw folder at {settings.raw_dir}")
    known_days = set(delivery_days.get_partition_keys())
    days = {d: f for d, f in pending_days(settings.raw_dir, Lake(settings.lake_store)).items()
            if d in known_days}
    requests = [dg.RunRequest(run_key=f"{day}:{fingerprint}", partition_key=day)
                for day, fingerprint in list(days.items())[:MAX_DAYS_PER_TICK]]
    if not requests:
        return dg.SensorResult(skip_reason="no new raw files")
    return dg.SensorResult(run_requests=requests)
