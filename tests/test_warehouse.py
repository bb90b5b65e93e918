"""The warehouse on whole simulated worlds: the marts against figures computed independently
from the raw files (tests/raw_measures.py) and against what the world planted.

Each world runs the real pipeline (`run_pass`: Dagster materialisations of ingestion, findings,
features and the dbt build with its tests), without transcription, which these figures do not
need (and which has tests of its own).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest
import raw_measures

from workphone.settings import Settings
from workphone.world_recovery import recovery_checks

pytestmark = pytest.mark.slow


def _build(world: Path, home: Path) -> Settings:
    from dagster_project.pipeline import run_pass

    home.mkdir(parents=True, exist_ok=True)
    for folder in ("raw", "ground_truth"):
        (home / folder).symlink_to(world / folder, target_is_directory=True)
    settings = Settings(home=home, pii_key_hex="cd" * 32)
    summary = run_pass(settings, say=lambda message: None, speech=False, ml=False)
    assert summary.success, summary.as_dict()
    return settings


@pytest.fixture(scope="module")
def small_home(small_world, tmp_path_factory) -> Settings:
    return _build(small_world, tmp_path_factory.mktemp("warehouse-small") / "home")


@pytest.fixture(scope="module")
def altered_home(altered_small_world, tmp_path_factory) -> Settings:
    _, world = altered_small_world
    return _build(world, tmp_path_factory.mktemp("warehouse-altered") / "home")


def _query(settings: Settings, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).pl()


def test_channel_figures_match_the_raw_exports(small_home, small_world):
    # The raw export lines that ingestion quarantined (planted defects) are not in the lake:
    # leave exactly those lines out of the raw count, and the figures must agree.
    quarantined = _query(small_home, """
        select source_file, source_line from ops.quarantine
        where source_file like 'exports/%'""")
    assert quarantined.height > 0
    skip = frozenset(quarantined.iter_rows())
    expected = raw_measures.customers_by_channel(small_world / "raw", skip)
    measured = _query(small_home, """
        select business_line, channel, sum(leads) as leads, sum(customers) as customers,
            sum(spend_cny) as spend
        from marts.rpt_channel_efficiency group by all""")
    joined = expected.join(measured, on=["business_line", "channel"], suffix="_mart")
    assert joined.height == 8
    for row in joined.iter_rows(named=True):
        assert row["customers_mart"] == row["customers"], row
        assert row["leads_mart"] == row["leads"], row
        assert row["spend_mart"] == pytest.approx(row["spend"], rel=1e-9), row


def test_stage_recovery_and_complaints_match_the_raw_exports(small_home, small_world):
    expected = raw_measures.stage_recovery(small_world / "raw", dt.date(2025, 1, 1),
                                           dt.date(2025, 9, 30))
    measured = _query(small_home, """
        select stage, sum(recovered_amount_cny) / sum(overdue_amount_cny) as recovery_rate
        from marts.rpt_collection_stage
        where handler_type = 'all' and quarter like '2025Q%' group by stage""")
    joined = expected.join(measured, on="stage", suffix="_mart")
    assert joined.height == 3
    for row in joined.iter_rows(named=True):
        assert row["recovery_rate_mart"] == pytest.approx(row["recovery_rate"], abs=0.005), row


def test_a_second_build_does_not_duplicate_the_incremental_facts(small_home):
    from dagster_project.pipeline import run_pass

    before = _query(small_home, "select count(*) as calls from marts.fct_calls")["calls"][0]
    summary = run_pass(small_home, models="fct_calls fct_messages", say=lambda message: None,
                       speech=False)
    assert summary.success, summary.as_dict()
    after = _query(small_home, """
        select count(*) as calls, count(distinct call_id) as distinct_calls,
            (select count(*) from staging.stg_lake__calls) as landed
        from marts.fct_calls""").row(0, named=True)
    assert after["calls"] == before == after["distinct_calls"] == after["landed"]


def _assert_recovered(settings: Settings, parameters: tuple[str, ...]) -> None:
    checks = [c for c in recovery_checks(settings.home) if c.parameter in parameters]
    assert checks
    missed = [c for c in checks if not c.within]
    assert not missed, "\n".join(f"{c.parameter} {c.key}: planted {c.planted}, measured "
                                 f"{c.measured}" for c in missed)


ACQUISITION_AND_COLLECTION = ("channel.customer_share", "channel.cac_cny",
                              "channel.conversion_rate", "collection.recovery_rate")


def test_planted_channels_and_recovery_are_recovered(small_home):
    _assert_recovered(small_home, ACQUISITION_AND_COLLECTION)


def test_a_world_with_other_values_is_followed(altered_home):
    _assert_recovered(altered_home, ACQUISITION_AND_COLLECTION)


def test_planted_sales_compliance_rates_are_recovered(small_home, altered_home):
    for settings in (small_home, altered_home):
        _assert_recovered(settings, ("sales.compliance_rate",))


def test_call_time_recommendations_follow_a_moved_m2_peak(altered_home):
    """The altered world moves the M2 answer peak to 10-11 h: the model's M2 hours follow."""
    from models_ml.call_time.data import load_history
    from models_ml.call_time.pipeline import recommend, train

    history = load_history(altered_home.warehouse_path, altered_home.lake_store)
    trained = train(history, seed=0)
    profile = {row["hour"]: row["p_answer"]
               for row in trained.metrics["schedules"]["m2_predicted_answer_by_hour"]}
    assert set(sorted(profile, key=profile.get)[-2:]) == {10, 11}
    plan = recommend(history, trained.model, days=1)
    m2_first = plan.filter((pl.col("stage") == "M2") & (pl.col("rank") == 1))
    assert m2_first["hour"].is_in([10, 11]).mean() > 0.9
