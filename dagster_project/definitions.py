"""The product's Dagster definitions (``dagster dev`` loads them through workspace.yaml)."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.world.assets import simulated_world
from dagster_project.resources import WorkphoneSettings

defs = dg.Definitions(
    assets=[simulated_world],
    resources={"workphone": WorkphoneSettings()},
)
