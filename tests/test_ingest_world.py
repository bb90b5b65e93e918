"""Ingesting a whole simulated world: counts conserved, reruns and redeliveries never duplicate,
a crash leaves nothing half-written, and no personal number reaches the lake or warehouse."""

from __future__ import annotations

import hashlib
import hmac
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest
import raw_measures as measure
from conftest import s3_settings

from ingestion import raw_files
from ingestion.contracts.model import load_contracts
from ingestion.ingest import ingest
from ingestion.lake import Lake
from workphone.settings import Settings


def _lake(settings: Settings, feed: str) -> pl.DataFrame:
    store = settings.lake_store
    return pl.read_parquet(Lake(store).files_glob(feed), hive_partitioning=True,
                           storage_options=store.polars_options())


def test_counts_are_conserved_per_feed_and_file(ingested_tiny):
    settings, report = ingested_tiny
    assert len(report.feeds) == 17
    for feed, c in report.feeds.items():
        assert c.read == c.landed + c.quarantined + c.duplicates, feed
        assert c.landed == _lake(settings, feed).height, feed
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        bad = con.execute("select count(*) from ops.ingested_files "
                          "where read <> landed + quarantined + duplicates").fetchone()[0]
        files = con.execute("select count(*) from ops.ingested_files").fetchone()[0]
    assert bad == 0 and files > 1000


def test_lake_partitions_are_delivery_days(ingested_tiny):
    """``dt`` is the day a record's file was delivered, so that a Dagster daily partition is
    exactly one lake partition; the event time stays a column."""
    settings, _ = ingested_tiny
    contracts = load_contracts()
    for feed in ("calls", "messages", "leads"):
        pairs = _lake(settings, feed).select("dt", "_source_file").unique()
        for day, source in pairs.iter_rows():
            assert str(day) == raw_files.delivery_day(Path(source), contracts[feed]), source


def test_every_planted_defect_is_caught(ingested_tiny, tiny_world):
    settings, report = ingested_tiny
    defects = pl.read_parquet(tiny_world / "ground_truth" / "defects.parquet")
    quarantine = pl.read_parquet(settings.lake_dir / "quarantine" / "*" / "*.parquet")
    broken = defects.filter(pl.col("kind") == "malformed_json")
    for row in broken.iter_rows(named=True):
        where = f"devices/{row['file']}"
        hit = quarantine.filter((pl.col("source_file") == where)
                                & (pl.col("source_line") == row["line"]))
        assert hit.height == 1, row
    missing = defects.filter(pl.col("kind").str.starts_with("missing:")
                             & pl.col("file").str.ends_with(".jsonl"))
    assert missing.height > 0
    for row in missing.iter_rows(named=True):
        field = row["kind"].split(":")[1]
        hit = quarantine.filter((pl.col("source_file") == f"devices/{row['file']}")
                                & (pl.col("source_line") == row["line"]))
        assert hit.height == 1 and f"{field}: required but missing" in hit["reason"][0], row
    duplicated = defects.filter(pl.col("kind") == "duplicate_event").height
    redelivered = defects.filter(pl.col("kind") == "redelivered_file").height
    device_dups = sum(report.feeds[f].duplicates for f in
                      ("calls", "messages", "friend_adds", "sms", "gps_pings",
                       "visit_checkins", "esignatures"))
    assert device_dups >= duplicated and (redelivered == 0 or device_dups > duplicated)


def test_keys_are_unique_in_the_lake(ingested_tiny):
    settings, _ = ingested_tiny
    for feed, key in (("calls", ["call_id"]), ("messages", ["message_id"]),
                      ("repayment_schedules", ["loan_id", "installment_no"]),
                      ("marketing_spend", ["date", "business_line", "channel"])):
        frame = _lake(settings, feed)
        assert frame.select(key).is_duplicated().sum() == 0, feed


def test_the_gbk_export_reads_like_the_others(ingested_tiny, tiny_world):
    settings, report = ingested_tiny
    defects = pl.read_parquet(tiny_world / "ground_truth" / "defects.parquet")
    gbk_file = defects.filter(pl.col("kind") == "gbk_encoding")["file"][0]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        encoding, landed = con.execute(
            "select encoding, landed from ops.ingested_files where source_file = ?",
            [f"exports/{gbk_file}"]).fetchone()
    assert encoding == "gbk" and landed > 0
    raw_leads = measure.read_export(tiny_world / "raw", "leads")
    day_leads = raw_leads.filter(pl.col("created_at").str.starts_with(
        gbk_file.split("_")[-1][:10]))
    leads = _lake(settings, "leads").filter(pl.col("lead_id").is_in(day_leads["lead_id"]
                                                                     .implode()))
    expected = {r["lead_id"]: r["city"] for r in day_leads.iter_rows(named=True)}
    assert leads.height > 0
    assert all(expected[r["lead_id"]] == r["city"] for r in leads.iter_rows(named=True))


def test_tokens_are_keyed_hmacs_and_masks_keep_the_ends(ingested_tiny, tiny_world):
    settings, _ = ingested_tiny
    raw_leads = measure.read_export(tiny_world / "raw", "leads").drop_nulls("phone").head(50)
    leads = _lake(settings, "leads").join(raw_leads.select("lead_id", "phone", "name"),
                                          on="lead_id")
    key = bytes.fromhex(settings.pii_key_hex)
    for row in leads.iter_rows(named=True):
        assert row["phone_token"] == hmac.new(key, row["phone"].encode(),
                                              hashlib.sha256).hexdigest()
        assert row["phone_masked"] == row["phone"][:3] + "****" + row["phone"][-4:]
        assert row["name_masked"][0] == row["name"][0] and "*" in row["name_masked"]


def test_no_clear_personal_number_in_lake_or_warehouse(ingested_tiny, tiny_world):
    settings, _ = ingested_tiny
    raw = tiny_world / "raw"
    secrets = set()
    for export, columns in (("leads", ["phone", "id_number"]),
                            ("loans", ["customer_phone", "id_number", "bank_card",
                                       "emergency_contact_phone"]),
                            ("employees", ["work_phone"])):
        frame = measure.read_export(raw, export)
        for column in columns:
            secrets |= set(frame[column].drop_nulls().to_list())
    assert len(secrets) > 1000
    pattern = "|".join(sorted(secrets))
    for path in settings.lake_dir.rglob("*.parquet"):
        frame = pl.read_parquet(path)
        for column, dtype in frame.schema.items():
            if dtype == pl.String:
                assert not frame[column].str.contains(pattern).any(), (path, column)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        for (table,) in con.execute("select table_schema || '.' || table_name "
                                    "from information_schema.tables").fetchall():
            frame = con.execute(f"select * from {table}").pl()
            for column, dtype in frame.schema.items():
                if dtype == pl.String:
                    assert not frame[column].str.contains(pattern).any(), (table, column)


def test_numbers_in_chat_text_are_redacted(ingested_tiny, tiny_world):
    settings, _ = ingested_tiny
    utterances = pl.read_parquet(tiny_world / "ground_truth" / "utterances.parquet")
    shared = utterances.filter((pl.col("group") == "phone_share")
                               & pl.col("message_id").is_not_null())
    assert shared.height > 0
    messages = _lake(settings, "messages").join(shared.select("message_id"), on="message_id")
    assert messages.height > 0
    assert messages["text"].str.contains(r"\[手机号\]").all()


def test_communications_carry_retain_until(ingested_tiny):
    settings, _ = ingested_tiny
    calls = _lake(settings, "calls").head(100)
    for row in calls.iter_rows(named=True):
        assert row["retain_until"] == row["ended_at"].date().replace(
            year=row["ended_at"].year + settings.retention_years)
    assert "retain_until" not in _lake(settings, "marketing_spend").columns


def test_rerun_and_redelivery_never_duplicate(tiny_world, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(tiny_world / "raw" / "devices" / "sms", raw / "devices" / "sms")
    settings = Settings(home=tmp_path / "home", pii_key_hex="ef" * 32)
    first = ingest(settings, raw=raw, feeds=["sms"]).feeds["sms"]
    again = ingest(settings, raw=raw, feeds=["sms"]).feeds["sms"]
    assert again.read == 0
    some = sorted(raw.glob("devices/sms/*/*.jsonl"))[3]
    copy = raw / "devices" / "sms" / "2025-12-31" / some.name
    copy.parent.mkdir(parents=True)
    copy.write_bytes(some.read_bytes())
    redelivered = ingest(settings, raw=raw, feeds=["sms"]).feeds["sms"]
    assert redelivered.read == redelivered.duplicates > 0 and redelivered.landed == 0
    late = raw / "devices" / "sms" / "2025-12-30" / ("late_" + some.name)
    late.parent.mkdir(parents=True)
    late.write_bytes(some.read_bytes().splitlines(keepends=True)[0])
    overlap = ingest(settings, raw=raw, feeds=["sms"]).feeds["sms"]
    assert (overlap.read, overlap.duplicates, overlap.landed) == (1, 1, 0)
    assert _lake(settings, "sms").height == first.landed


@pytest.mark.parametrize("where", ["disk", "s3"])
def test_a_crash_mid_publication_leaves_no_half_partition(where, tiny_world, tmp_path,
                                                          monkeypatch, request):
    raw = tmp_path / "raw"
    shutil.copytree(tiny_world / "raw" / "devices" / "calls", raw / "devices" / "calls")
    if where == "s3":
        settings = s3_settings(tmp_path / "home", request.getfixturevalue("s3_store"),
                               f"crash-{tmp_path.name}", pii_key_hex="01" * 32)
    else:
        settings = Settings(home=tmp_path / "home", pii_key_hex="01" * 32)
    store = settings.lake_store
    original = Lake.publish_staged

    def crash_half_way(self, batch_id: str, folder: str, *target: str):
        if folder != "data":
            return original(self, batch_id, folder, *target)
        staged = self.store.path("_staging", batch_id, folder)
        files = self.store.files("_staging", batch_id, folder)
        for path in files[: len(files) // 2]:
            self.store.move(path, self.store.path(*target, path[len(staged) + 1:]))
        raise OSError("disk went away")

    monkeypatch.setattr(Lake, "publish_staged", crash_half_way)
    with pytest.raises(OSError, match="disk went away"):
        ingest(settings, raw=raw, feeds=["calls"])
    visible = store.files("calls")
    assert visible and all(pq.read_metadata(p, filesystem=store.filesystem).num_rows > 0
                           for p in visible)
    monkeypatch.setattr(Lake, "publish_staged", original)
    rerun = ingest(settings, raw=raw, feeds=["calls"]).feeds["calls"]
    clean = ingest(Settings(home=tmp_path / "clean", pii_key_hex="01" * 32), raw=raw,
                   feeds=["calls"]).feeds["calls"]
    assert rerun.read == rerun.landed + rerun.quarantined + rerun.duplicates
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        totals = con.execute("select sum(read), sum(landed) + sum(duplicates), "
                             "sum(quarantined) from ops.ingested_files").fetchone()
    # Every line is accounted for once; what the crash had published counts as duplicates.
    assert totals == (clean.read, clean.landed + clean.duplicates, clean.quarantined)
    lake = _lake(settings, "calls")
    assert lake.height == clean.landed and lake["call_id"].is_unique().all()
    assert store.files("_staging") == []
    quarantine = pl.read_parquet(Lake(store).quarantine_glob("calls"),
                                 storage_options=store.polars_options())
    assert quarantine.height == clean.quarantined
