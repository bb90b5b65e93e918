"""What the simulator delivers: layout, reproducibility, the flaws real feeds have, the truth."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import raw_measures as measure

from ingestion.simulator.simulate import simulate

DEVICE_FEEDS = {"calls", "messages", "friend_adds", "sms", "gps_pings", "visit_checkins",
                "esignatures"}
EXPORTS = {"leads", "marketing_spend", "loans", "repayment_schedules", "repayments",
           "collection_cases", "employees", "agencies", "complaints", "legal_letters"}


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "raw").rglob("*")) if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_world(tiny_world, tmp_path):
    again = tmp_path / "again"
    simulate("report-2025", "tiny", again, seed=7)
    assert _digest(again) == _digest(tiny_world)
    other = tmp_path / "other"
    simulate("report-2025", "tiny", other, seed=8)
    first, second = _digest(tiny_world), _digest(other)
    shared = set(first) & set(second)
    assert sum(first[k] == second[k] for k in shared) < 0.05 * len(shared)


def test_layout_one_file_per_device_per_day(tiny_world):
    raw = tiny_world / "raw"
    assert {p.name for p in (raw / "devices").iterdir()} == DEVICE_FEEDS | {"recordings"}
    assert {p.name for p in (raw / "exports").iterdir()} == EXPORTS
    defects = pl.read_parquet(tiny_world / "ground_truth" / "defects.parquet")
    redelivered = set(defects.filter(pl.col("kind") == "redelivered_file")["file"])
    for path in (raw / "devices" / "calls").glob("*/*.jsonl"):
        device, day = path.stem.rsplit("_", 1)
        where = f"calls/{path.parent.name}/{path.name}"
        assert path.parent.name == day or (where in redelivered and path.parent.name > day)
        assert device.startswith(("WP", "AI"))
    first = next((raw / "devices" / "messages").glob("*/*.jsonl")).read_text().splitlines()[0]
    record = json.loads(first)
    assert {"message_id", "device_id", "employee_id", "peer_id", "text", "sent_at"} <= set(record)
    assert record["sent_at"].endswith("+08:00")


def test_flaws_are_injected_and_listed(small_world):
    raw, truth = small_world / "raw", small_world / "ground_truth"
    defects = pl.read_parquet(truth / "defects.parquet")
    kinds = set(defects["kind"].str.split(":").list.first())
    assert {"malformed_json", "missing", "duplicate_event", "redelivered_file",
            "gbk_encoding"} <= kinds
    gbk = defects.filter(pl.col("kind") == "gbk_encoding")["file"][0]
    data = (raw / "exports" / gbk).read_bytes()
    try:
        data.decode("utf-8")
        raise AssertionError("the GBK export decodes as UTF-8")
    except UnicodeDecodeError:
        assert "lead_id" in data.decode("gbk")
    redelivered = defects.filter(pl.col("kind") == "redelivered_file")["file"][0]
    feed = defects.filter(pl.col("kind") == "redelivered_file")["feed"][0]
    copy = raw / "devices" / feed / Path(redelivered).relative_to(Path(redelivered).parts[0])
    name = copy.name
    originals = [p for p in (raw / "devices" / feed).glob(f"*/{name}") if p != copy]
    assert originals and originals[0].read_bytes() == copy.read_bytes()
    skew = pl.read_parquet(truth / "clock_skew.parquet")
    assert skew.height >= 1


def test_ground_truth_beside_raw(tiny_world):
    truth = tiny_world / "ground_truth"
    conversations = pl.read_parquet(truth / "conversations.parquet")
    utterances = pl.read_parquet(truth / "utterances.parquet")
    assert set(conversations["context"]) == {"sales", "collection"}
    assert utterances["conversation_id"].is_in(conversations["conversation_id"].implode()).all()
    violating = conversations.filter(pl.col("violation").is_not_null()
                                     & ~pl.col("concealment_by_omission"))
    flagged = utterances.filter(pl.col("labels") != "")
    # Every violating conversation (except concealment by omission) carries its label in a turn.
    joined = violating.join(flagged, on="conversation_id")
    assert joined.filter(pl.col("labels").str.contains(pl.col("violation")))[
        "conversation_id"].n_unique() == violating.height
    promises = pl.read_parquet(truth / "promises.parquet")
    assert promises["kept"].any() and not promises["kept"].all()
    world = json.loads((truth / "world.json").read_text(encoding="utf-8"))
    assert world["name"] == "report-2025"


def test_chat_text_matches_the_planted_utterances(tiny_world):
    messages = measure.read_device_feed(tiny_world / "raw", "messages")
    utterances = pl.read_parquet(tiny_world / "ground_truth" / "utterances.parquet").filter(
        pl.col("message_id").is_not_null())
    joined = utterances.join(messages.select("message_id", "text"), on="message_id")
    assert joined.height >= 0.95 * utterances.height
    assert (joined["text"] == joined["text_right"]).all()


def test_pitch_effect_on_conversion(small_world):
    leads = pl.read_parquet(small_world / "ground_truth" / "leads.parquet")
    rates = leads.group_by("pitch").agg(pl.col("converted").mean())
    rate = dict(rates.iter_rows())
    assert rate["low_rate"] / rate["high_limit"] - 1 > 0.25


def test_fake_visits_are_far_from_the_address(small_world):
    checkins = measure.read_device_feed(small_world / "raw", "visit_checkins")
    visits = pl.read_parquet(small_world / "ground_truth" / "visits.parquet")
    joined = checkins.unique("checkin_id").join(visits, on="visit_id")
    metres = ((joined["lat"] - joined["home_lat"]) ** 2 + (
        (joined["lon"] - joined["home_lon"]) * 0.9) ** 2).sqrt() * 111_000
    far = metres > 1000
    assert (far == joined["fake"]).mean() > 0.98
    assert abs(joined["fake"].mean() - 0.15) < 0.03
