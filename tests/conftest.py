"""Shared fixtures: simulated worlds built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ingestion.simulator.simulate import simulate
from ingestion.simulator.world import WORLDS_DIR

# A world whose every planted value differs from the default, to prove the pipeline follows
# the data rather than the defaults.
ALTERED = {
    ("business_lines", "consumer", "channels"): {
        "short_video": {"share": 0.40, "cac_cny": 2200, "conversion_rate": 0.025},
        "offline_scene": {"share": 0.35, "cac_cny": 1200, "conversion_rate": 0.070},
        "own_online": {"share": 0.15, "cac_cny": 700, "conversion_rate": 0.020},
        "third_party_platform": {"share": 0.10, "cac_cny": 2500, "conversion_rate": 0.050},
    },
    ("business_lines", "consumer", "sales_compliance_rate"):
        {"2025Q1": 0.60, "2025Q2": 0.70, "2025Q3": 0.85},
    ("business_lines", "auto", "sales_compliance_rate"):
        {"2025Q1": 0.85, "2025Q2": 0.88, "2025Q3": 0.95},
    ("sales_violation_mix",): {"rate_concealment": 0.20, "intermediary_fee_hint": 0.20,
                               "false_limit_promise": 0.30, "off_book_transaction": 0.20,
                               "abusive_language": 0.10},
    ("collection", "stages"): {
        "M1": {"recovery_rate": 0.75, "complaint_rate": 0.005},
        "M2": {"recovery_rate": 0.40, "complaint_rate": 0.020},
        "M3plus": {"recovery_rate": 0.10, "complaint_rate": 0.040},
    },
    ("collection", "m2_peak_answer_hours"): [10, 11],
    ("collection", "debtor_answer_hour_lift"): 0.6,
}


def altered_world(path: Path) -> Path:
    data = yaml.safe_load((WORLDS_DIR / "report-2025.yaml").read_text(encoding="utf-8"))
    for keys, value in ALTERED.items():
        node = data
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    data["name"] = "altered"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    simulate("report-2025", "tiny", out, seed=7)
    return out


@pytest.fixture(scope="session")
def small_world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    simulate("report-2025", "small", out, seed=42)
    return out


@pytest.fixture(scope="session")
def altered_small_world(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("altered")
    world_file = altered_world(base / "altered.yaml")
    out = base / "world"
    simulate(world_file, "small", out, seed=11)
    return world_file, out


@pytest.fixture(scope="session")
def ingested_tiny(tiny_world, tmp_path_factory):
    """The tiny world ingested once: (settings, report)."""
    from ingestion.ingest import ingest
    from workphone.settings import Settings

    home = tmp_path_factory.mktemp("home")
    settings = Settings(home=home, pii_key_hex="ab" * 32)
    report = ingest(settings, raw=tiny_world / "raw")
    return settings, report


@pytest.fixture(scope="session")
def duckdb_build(analysed_home, tmp_path_factory):
    """The marts of ``analysed_home`` built on DuckDB from its local lake (``marts_compare``),
    what the builds on Spark and from object storage are compared with: its settings."""
    from marts_compare import build_marts

    return build_marts(analysed_home, tmp_path_factory.mktemp("marts") / "duckdb")


@pytest.fixture(scope="session")
def s3_store(tmp_path_factory):
    """A SeaweedFS S3 server on loopback for the session, with the bucket ``lake``: how to
    reach it (``S3Options``). Each test keeps its lake under a prefix of its own."""
    from s3_server import create_bucket, seaweedfs

    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as options:
        create_bucket(options, "lake")
        yield options


def s3_settings(home: Path, options, prefix: str, **values):
    """Settings whose lake is ``s3://lake/<prefix>`` on the test server."""
    from workphone.settings import Settings

    return Settings(home=home, lake=f"s3://lake/{prefix}", s3_endpoint=options.endpoint,
                    s3_region=options.region, s3_access_key_id=options.access_key_id,
                    s3_secret_access_key=options.secret_access_key, **values)


@pytest.fixture(scope="session")
def asr_backend():
    """The default speech backend (faster-whisper, Whisper base), loaded once."""
    from speech_analytics.backends import load_backend
    from speech_analytics.model_store import default_model_dir

    return load_backend("faster-whisper", default_model_dir(), threads=2)


@pytest.fixture(scope="session")
def transcribed_tiny(ingested_tiny, tiny_world, asr_backend):
    """The ingested tiny world with every recording transcribed once: (settings, reports)."""
    from speech_analytics.batch import transcribe_pending

    settings, _ = ingested_tiny
    reports = transcribe_pending(settings, backend=asr_backend, raw=tiny_world / "raw")
    return settings, reports


@pytest.fixture(scope="session")
def analysed_home(transcribed_tiny, tiny_world, tmp_path_factory) -> Path:
    """A copy of the transcribed tiny world (raw and lake) with findings and features built
    through their assets: everything upstream of dbt. Copy it before writing to it."""
    import dagster as dg

    from dagster_project.defs.conversation.assets import compliance_findings, conversation_features
    from dagster_project.resources import WorkphoneSettings

    settings, _ = transcribed_tiny
    home = tmp_path_factory.mktemp("dbt") / "home"
    shutil.copytree(settings.lake_dir, home / "lake")
    shutil.copytree(tiny_world / "raw", home / "raw")
    result = dg.materialize([compliance_findings, conversation_features],
                            resources={"workphone": WorkphoneSettings(home=str(home))})
    assert result.success
    return home
