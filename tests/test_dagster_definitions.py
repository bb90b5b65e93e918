"""The Dagster definitions load, and the world asset materialises in process."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.world.assets import simulated_world
from dagster_project.resources import WorkphoneSettings


def test_definitions_load():
    from dagster_project.definitions import defs

    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert "simulated_world" in keys


def test_simulated_world_materialises(tmp_path):
    result = dg.materialize(
        [simulated_world],
        resources={"workphone": WorkphoneSettings(home=str(tmp_path))},
        run_config={"ops": {"simulated_world": {"config": {"scale": "tiny", "seed": 3}}}},
    )
    assert result.success
    metadata = result.asset_materializations_for_node("simulated_world")[0].metadata
    assert metadata["records/calls"].value > 1000
    assert (tmp_path / "raw" / "devices" / "calls").is_dir()
    assert (tmp_path / "ground_truth" / "conversations.parquet").is_file()
