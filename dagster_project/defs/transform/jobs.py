"""The job that runs the whole warehouse: ingestion, speech, conversation analytics, dbt,
models."""

import dagster as dg

from dagster_project.defs.world.assets import simulated_world

# The simulated world stands in for a vendor delivery: it is materialised on purpose, never as
# part of the warehouse's run (it would overwrite the raw captures). Partitioned by delivery
# day like ingestion and speech (inferred from them); the rest are unpartitioned.
warehouse_job = dg.define_asset_job(
    "warehouse_job",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(simulated_world),
    description="Everything from the raw deliveries to the marts: ingest the delivery days of "
                "the run (a partition or a range), transcribe their recordings, rebuild "
                "findings and features, dbt build with the tests as checks, then train and "
                "score the models.",
)
