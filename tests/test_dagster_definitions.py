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


def _world_home(tiny_world, tmp_path):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(tiny_world / "raw", home / "raw")
    return home


def test_ingestion_materialises_a_range_of_days_with_checks(tiny_world, tmp_path):
    from dagster_project.defs.ingestion.assets import ingest_raw_feeds

    home = _world_home(tiny_world, tmp_path)
    result = dg.materialize(
        [ingest_raw_feeds],
        resources={"workphone": WorkphoneSettings(home=str(home))},
        tags={"dagster/asset_partition_range_start": "2025-01-01",
              "dagster/asset_partition_range_end": "2025-03-31"},
    )
    assert result.success
    materialised = {e.asset_key.path[-1]: e.materialization.metadata
                    for e in result.get_asset_materialization_events()}
    assert len(materialised) == 17
    assert materialised["calls"]["landed"].value > 0
    checks = result.get_asset_check_evaluations()
    assert len(checks) == 34 and all(c.passed for c in checks)
    days = {p.parent.name for p in (home / "lake" / "calls").glob("dt=*/*.parquet")}
    assert min(days) >= "dt=2025-01-01" and max(days) <= "dt=2025-03-31"  # delivery days


def test_sensor_asks_for_each_day_with_new_files(tiny_world, tmp_path):
    from dagster_project.defs.ingestion.automation import raw_arrivals_sensor
    from ingestion.ingest import ingest
    from workphone.settings import Settings

    home = _world_home(tiny_world, tmp_path)
    resource = WorkphoneSettings(home=str(home))
    context = dg.build_sensor_context(resources={"workphone": resource})
    first = raw_arrivals_sensor(context)
    assert len(first.run_requests) == 31
    assert first.run_requests[0].partition_key == "2025-01-01"
    ingest(Settings(home=home), days=("2025-01-01", "2025-01-31"))
    second = raw_arrivals_sensor(dg.build_sensor_context(resources={"workphone": resource}))
    assert second.run_requests[0].partition_key == "2025-02-01"


def test_transcripts_asset_transcribes_a_day_of_recordings(ingested_tiny, tiny_world, tmp_path):
    import shutil

    import polars as pl

    from dagster_project.defs.speech.assets import transcripts

    settings, _ = ingested_tiny
    home = tmp_path / "home"
    shutil.copytree(settings.lake_dir / "calls", home / "lake" / "calls")
    shutil.copytree(tiny_world / "raw" / "devices" / "recordings",
                    home / "raw" / "devices" / "recordings")
    calls = pl.read_parquet(home / "lake" / "calls" / "*" / "*.parquet", hive_partitioning=True)
    day = str(calls.filter(pl.col("recording_ref").is_not_null())["dt"].min())
    result = dg.materialize(
        [transcripts],
        resources={"workphone": WorkphoneSettings(home=str(home))},
        partition_key=day,
    )
    assert result.success
    metadata = result.asset_materializations_for_node("lake__transcripts")[0].metadata
    assert metadata["recordings_due"].value == 1
    assert metadata["status/ok"].value == 1
    assert 0 < metadata["real_time_factor"].value < 1
    assert (home / "lake" / "transcripts" / f"dt={day}" / "part-0.parquet").is_file()
