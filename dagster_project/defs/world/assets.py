"""The simulated world as an asset: raw captures under ``WORKPHONE_HOME/raw``."""

import dagster as dg

from dagster_project.resources import WorkphoneSettings
from ingestion.simulator.simulate import simulate


class WorldConfig(dg.Config):
    world: str = "report-2025"
    scale: str = "small"
    seed: int = 42


@dg.asset(
    group_name="world",
    description="Raw captures of a simulated lender (device feeds and business-system exports), "
    "with the planted ground truth beside them. Stands in for a vendor delivery.",
    kinds={"python"},
)
def simulated_world(context: dg.AssetExecutionContext, config: WorldConfig,
                    workphone: WorkphoneSettings) -> dg.MaterializeResult:
    home = workphone.settings().home
    result = simulate(config.world, config.scale, home, seed=config.seed,
                      progress=context.log.info)
    return dg.MaterializeResult(metadata={
        "raw_dir": dg.MetadataValue.path(str(home / "raw")),
        "seconds": round(result.seconds, 1),
        "communication_records": result.communication_records,
        **{f"records/{feed}": count for feed, count in result.records.items()},
    })
