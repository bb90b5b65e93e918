"""The world file: the default world loads, and a malformed one names the key and the fix."""

from __future__ import annotations

import pytest
import yaml

from ingestion.simulator.world import WORLDS_DIR, WorldError, load_world, peak_weight


def _write(tmp_path, mutate):
    data = yaml.safe_load((WORLDS_DIR / "report-2025.yaml").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_default_world_plants_the_report_figures():
    world = load_world("report-2025")
    consumer = world.business_lines["consumer"]
    assert consumer.channels["short_video"].share == 0.60
    assert consumer.channels["offline_scene"].conversion_rate == 0.058
    assert world.business_lines["auto"].sales_compliance_rate["2025Q1"] == 0.68
    assert world.collection.stages["M2"].recovery_rate == 0.32
    assert world.collection.m2_peak_answer_hours == [15, 16]
    assert world.quarters == ["2025Q1", "2025Q2", "2025Q3"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["business_lines"]["consumer"]["channels"]["short_video"].update(share="x"),
         "business_lines.consumer.channels.short_video.share"),
        (lambda d: d["collection"].pop("in_house_share"), "collection.in_house_share: this key is "
         "required"),
        (lambda d: d["business_lines"]["auto"]["channels"]["own_online"].update(share=0.5),
         "channel shares must add up to 1.0"),
        (lambda d: d["business_lines"]["auto"]["channels"].update(tv_ads={
            "share": 0.0, "cac_cny": 1, "conversion_rate": 0.1}),
         "business_lines.auto.channels.tv_ads"),
        (lambda d: d["business_lines"]["auto"]["sales_compliance_rate"].pop("2025Q2"),
         "missing ['2025Q2']"),
        (lambda d: d["sales_violation_mix"].update(rate_concealment=0.9),
         "sales_violation_mix shares must add up to 1.0"),
        (lambda d: d["collection"].update(m2_peak_answer_hours=[23]),
         "collection.m2_peak_answer_hours.0"),
        (lambda d: d.update(colour="blue"), "colour: unknown key"),
        (lambda d: d["period"].update(end="2024-01-01"), "must come after start"),
    ],
)
def test_malformed_world_names_the_key(tmp_path, mutate, expected):
    with pytest.raises(WorldError) as err:
        load_world(_write(tmp_path, mutate))
    assert expected in str(err.value)
    assert "world.yaml" in str(err.value)


def test_unknown_world_name_lists_the_shipped_ones():
    with pytest.raises(WorldError, match="report-2025"):
        load_world("no-such-world")


def test_peak_weight_gives_the_planted_lift_over_the_hourly_mean():
    w = peak_weight(2, 0.40)
    hourly = [w, w] + [1.0] * 12
    assert w / (sum(hourly) / 14) == pytest.approx(1.40)
