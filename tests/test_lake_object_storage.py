"""The lake on S3-compatible storage (a SeaweedFS server on loopback, ``s3_store``): ingestion
lands there what it lands on disk, a rerun or a redelivery duplicates nothing, and findings,
features and the dbt build (DuckDB's httpfs through the profile's plugin) give the same marts
from it as from a local lake."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pyarrow.fs as pafs
import pytest
from conftest import s3_settings
from marts_compare import build_marts_in_place, mart_differences, mart_keys

from dagster_project.defs.conversation.assets import compliance_findings, conversation_features
from dagster_project.resources import WorkphoneSettings
from ingestion.contracts.model import load_contracts
from ingestion.ingest import ingest
from ingestion.lake import Lake
from workphone.settings import Settings

PII_KEY = "ab" * 32  # the key of ingested_tiny, so that tokens agree
RUN_COLUMNS = ("_ingested_at", "_batch_id")  # differ from run to run by design


@pytest.fixture(scope="module")
def s3_ingested(tiny_world, s3_store, tmp_path_factory) -> tuple[Settings, object]:
    settings = s3_settings(tmp_path_factory.mktemp("s3home"), s3_store, "tiny",
                           pii_key_hex=PII_KEY)
    return settings, ingest(settings, raw=tiny_world / "raw")


def _sorted_rows(con: duckdb.DuckDBPyConnection, glob: str, exclude: tuple[str, ...]) -> list:
    columns = [r[0] for r in con.execute(
        f"describe select * from read_parquet('{glob}')").fetchall() if r[0] not in exclude]
    order = ", ".join(c for c in ("_source_file", "_source_line", "source_file", "source_line")
                      if c in columns)
    return con.execute(f"select {', '.join(columns)} from read_parquet('{glob}') "
                       f"order by {order}").fetchall()


def test_ingestion_lands_on_object_storage_what_it_lands_on_disk(ingested_tiny, s3_ingested):
    disk, disk_report = ingested_tiny
    s3, s3_report = s3_ingested
    assert s3_report.as_dict() == disk_report.as_dict()
    assert all(c.conserved for c in s3_report.feeds.values())
    on_disk, on_s3 = Lake(disk.lake_store), Lake(s3.lake_store)
    with s3.lake_store.configure(duckdb.connect()) as con:
        for feed in load_contracts():
            if not on_disk.has_data(feed):
                assert not on_s3.has_data(feed), feed
                continue
            assert (_sorted_rows(con, on_s3.files_glob(feed), RUN_COLUMNS)
                    == _sorted_rows(con, on_disk.files_glob(feed), RUN_COLUMNS)), feed
        # The payload's encryption is randomised; what was quarantined, and why, is the same.
        varying = ("payload_encrypted", "batch_id", "quarantined_at")
        assert (_sorted_rows(con, on_s3.quarantine_glob(), varying)
                == _sorted_rows(con, on_disk.quarantine_glob(), varying))
    assert s3.lake_store.files("_staging") == []
    assert not (s3.home / "lake").exists(), "an s3 lake must not be written to the home"
    with duckdb.connect(str(s3.warehouse_path), read_only=True) as con:
        files, read = con.execute("select count(*), sum(read) from ops.ingested_files").fetchone()
    assert (files, read) == (sum(c.files for c in disk_report.feeds.values()),
                             sum(c.read for c in disk_report.feeds.values()))


def test_a_rerun_and_a_redelivery_on_object_storage_duplicate_nothing(s3_ingested, tiny_world,
                                                                     tmp_path):
    s3, _ = s3_ingested
    again = ingest(s3, raw=tiny_world / "raw")
    assert all(c.read == 0 for c in again.feeds.values())
    raw = tmp_path / "raw"
    shutil.copytree(tiny_world / "raw" / "devices" / "sms", raw / "devices" / "sms")
    some = sorted((raw / "devices" / "sms").glob("*/*.jsonl"))[0]
    some.rename(some.with_name("redelivered_" + some.name))
    records = len(some.with_name("redelivered_" + some.name).read_bytes().splitlines())
    redelivered = ingest(s3, raw=raw, feeds=["sms"]).feeds["sms"]
    assert (redelivered.read, redelivered.duplicates, redelivered.landed) == (records, records, 0)


def test_the_later_stages_and_dbt_build_the_same_marts_on_object_storage(
        s3_ingested, analysed_home, duckdb_build, tmp_path, monkeypatch):
    """On the lake that ingestion put on the server, with the transcripts of ``analysed_home``
    and its findings' log (when each was detected, alerts, status changes) copied up beside it:
    findings and features rebuilt there, then the marts built from there equal those built from
    the local lake."""
    s3, _ = s3_ingested
    store = s3.lake_store
    for dataset in ("transcripts", "transcriptions", "compliance_findings",
                    "compliance_finding_events", "compliance_alerts"):
        pafs.copy_files(str(analysed_home / "lake" / dataset), store.path(dataset),
                        destination_filesystem=store.filesystem)
    for name, value in (("WORKPHONE_S3_ENDPOINT", s3.s3_endpoint),
                        ("WORKPHONE_S3_ACCESS_KEY_ID", s3.s3_access_key_id),
                        ("WORKPHONE_S3_SECRET_ACCESS_KEY", s3.s3_secret_access_key)):
        monkeypatch.setenv(name, value)
    home = tmp_path / "home"
    shutil.copytree(analysed_home, home, ignore=shutil.ignore_patterns("lake"))
    workphone = WorkphoneSettings(home=str(home), lake=s3.lake_uri)
    result = dg.materialize([compliance_findings, conversation_features],
                            resources={"workphone": workphone})
    assert result.success
    assert store.has_files("conversation_features") and store.has_files("customer_features")
    built = build_marts_in_place(workphone)
    assert not (home / "lake").exists()
    keys = mart_keys(duckdb_build.dbt_target_dir / "manifest.json")
    differences = [d for model, key in sorted(keys.items())
                   for d in mart_differences(model, key, duckdb_build, built,
                                             names=("disk", "s3"))]
    assert not differences, f"{len(differences)} differences:\n" + "\n".join(differences[:30])
