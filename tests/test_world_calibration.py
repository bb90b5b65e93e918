"""A `small` world plants what its world file says, measured from the raw files alone
(compliance from the ground truth), for the default world and for one with other values."""

from __future__ import annotations

import polars as pl
import pytest
import raw_measures as measure

from ingestion.simulator.world import load_world

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["default", "altered"])
def planted(request, small_world, altered_small_world):
    if request.param == "default":
        return load_world("report-2025"), small_world
    world_file, out = altered_small_world
    return load_world(world_file), out


def test_channel_share_cac_and_conversion(planted):
    world, out = planted
    table = measure.customers_by_channel(out / "raw")
    assert table.height == 8
    for row in table.iter_rows(named=True):
        spec = world.business_lines[row["business_line"]].channels[row["channel"]]
        where = f"{row['business_line']}/{row['channel']}"
        assert abs(row["share"] - spec.share) <= 0.02, where
        assert abs(row["cac"] / spec.cac_cny - 1) <= 0.05, where
        assert abs(row["conversion"] / spec.conversion_rate - 1) <= 0.15, where


def test_stage_recovery(planted):
    world, out = planted
    period = world.period
    table = measure.stage_recovery(out / "raw", period.start, period.end)
    assert set(table["stage"]) == {"M1", "M2", "M3plus"}
    for row in table.iter_rows(named=True):
        assert row["entries"] >= 300, row
        planted_rate = world.collection.stages[row["stage"]].recovery_rate
        assert abs(row["recovery_rate"] - planted_rate) <= 0.03, row


def test_stage_complaint_rate(planted):
    world, out = planted
    table = measure.stage_complaints(out / "raw", world.period.start)
    for row in table.iter_rows(named=True):
        planted_rate = world.collection.stages[row["stage"]].complaint_rate
        assert abs(row["complaint_rate"] - planted_rate) <= max(0.3 * planted_rate, 0.002), row


def test_sales_compliance_and_violation_mix(planted):
    world, out = planted
    table = measure.sales_compliance(out / "ground_truth")
    assert table.height == 6
    for row in table.iter_rows(named=True):
        assert row["conversations"] >= 2000, row
        expected = world.sales_compliance(row["business_line"], row["quarter"])
        assert abs(row["compliance_rate"] - expected) <= 0.03, row
    mix = measure.sales_violation_mix(out / "ground_truth")
    for label, share in world.sales_violation_mix.items():
        assert abs(mix.get(label, 0.0) - share) <= 0.03, label


def test_m2_answer_peak(planted):
    world, out = planted
    table = measure.m2_answer_rate_by_hour(out / "raw")
    assert table.height == 14 and table["dials"].min() > 500
    rates = dict(zip(table["hour"], table["answer_rate"], strict=True))
    mean_rate = sum(rates.values()) / len(rates)
    peak_hours = world.collection.m2_peak_answer_hours
    top = sorted(rates, key=rates.get, reverse=True)[: len(peak_hours)]
    assert sorted(top) == sorted(peak_hours)
    peak = sum(rates[h] for h in peak_hours) / len(peak_hours)
    assert peak / mean_rate == pytest.approx(1 + world.collection.m2_peak_answer_lift, abs=0.12)


def test_debtors_answer_most_at_their_habitual_hour(planted):
    world, out = planted
    table = measure.answer_rate_by_habit_distance(out / "raw", out / "ground_truth")
    rate = dict(zip(table["distance"], table["answer_rate"], strict=True))
    assert rate[0] > rate[1] > rate[2] > rate[3]
    far = table.filter(pl.col("distance") >= 4)
    far_rate = (far["answer_rate"] * far["dials"]).sum() / far["dials"].sum()
    lift = world.collection.debtor_answer_hour_lift
    # The planted bump is 1 + lift at the habitual hour against the far hours; answer rates
    # capped at 0.95 and calls by the dialer (fixed hours) dilute it a little.
    assert 1 + 0.6 * lift <= rate[0] / far_rate <= 1 + 1.05 * lift
