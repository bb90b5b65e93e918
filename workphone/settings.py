"""The one settings object: every path and secret the product uses, read once.

Nothing else in the code base reads the environment. Values come from environment variables
(``WORKPHONE_*``) with local defaults, so a fresh checkout works with no configuration.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ingestion.lake_store import LakeStore, S3Options
from speech_analytics.model_store import default_model_dir


class Settings(BaseModel):
    """Where the product reads and writes, and the knobs that are configuration, not code."""

    model_config = ConfigDict(frozen=True)

    home: Path = Field(description="WORKPHONE_HOME: root of everything the product writes")
    pii_key_hex: str | None = Field(
        default=None, description="WORKPHONE_PII_KEY: hex key for PII tokens (else keys/pii.key)"
    )
    lake: str | None = Field(
        default=None,
        description="WORKPHONE_LAKE: the lake, a local folder (default WORKPHONE_HOME/lake) or "
                    "s3://bucket/prefix on S3-compatible storage")
    s3_endpoint: str = Field(
        default="", description="WORKPHONE_S3_ENDPOINT: URL of an S3-compatible store, e.g. "
                                "http://127.0.0.1:8333 (empty: AWS S3)")
    s3_region: str = Field(default="us-east-1", description="WORKPHONE_S3_REGION")
    s3_access_key_id: str = Field(default="", description="WORKPHONE_S3_ACCESS_KEY_ID")
    s3_secret_access_key: str = Field(
        default="", repr=False, description="WORKPHONE_S3_SECRET_ACCESS_KEY")
    s3_url_style: Literal["path", "vhost"] = Field(
        default="path", description="WORKPHONE_S3_URL_STYLE: path (S3-compatible servers) or "
                                    "vhost (AWS)")
    retention_years: int = Field(
        default=5, ge=1, description="WORKPHONE_RETENTION_YEARS: how long communications are kept"
    )
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="WORKPHONE_ENGINE: what dbt builds the warehouse on, duckdb (default) or "
                    "spark (the spark target of dbt/profiles.yml)")
    model_max_age_days: float = Field(
        default=7, ge=0,
        description="WORKPHONE_MODEL_MAX_AGE_DAYS: `workphone run` scores with the latest model "
                    "version and trains a new one once that is this many days old (0: always)")
    partitions_start: str = Field(
        default="2024-01-01",
        description="WORKPHONE_PARTITIONS_START: first delivery day of the daily partitions",
    )

    asr_backend: str = Field(
        default="faster-whisper",
        description="WORKPHONE_ASR_BACKEND: faster-whisper (CPU, default) or whisperx (CUDA GPU)")
    asr_model_dir: Path = Field(
        default_factory=default_model_dir,
        description="WORKPHONE_ASR_MODEL_DIR: CTranslate2 Whisper model folder (make setup)")
    asr_align_model_dir: Path | None = Field(
        default=None, description="WORKPHONE_ASR_ALIGN_MODEL_DIR: whisperx word-alignment model")
    asr_threads: int = Field(default=2, ge=1, description="WORKPHONE_ASR_THREADS: CPU threads")
    asr_beam_size: int = Field(
        default=5, ge=1, le=10,
        description="WORKPHONE_ASR_BEAM_SIZE: 5 is more accurate, 1 (greedy) about 30% faster")
    asr_max_seconds: float = Field(
        default=7200, gt=0, description="WORKPHONE_ASR_MAX_SECONDS: longest recording accepted")

    dashboard_address: str = Field(
        default="127.0.0.1",
        description="WORKPHONE_DASHBOARD_ADDRESS: interface the dashboard listens on")
    dashboard_port: int = Field(
        default=8501, ge=1, le=65535, description="WORKPHONE_DASHBOARD_PORT: its port")
    dashboard_users_path: Path | None = Field(
        default=None,
        description="WORKPHONE_DASHBOARD_USERS: the users file (else config/users.yaml)")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            home=Path(env.get("WORKPHONE_HOME", "data")).resolve(),
            pii_key_hex=env.get("WORKPHONE_PII_KEY") or None,
            lake=env.get("WORKPHONE_LAKE") or None,
            s3_endpoint=env.get("WORKPHONE_S3_ENDPOINT", ""),
            s3_region=env.get("WORKPHONE_S3_REGION", "us-east-1"),
            s3_access_key_id=env.get("WORKPHONE_S3_ACCESS_KEY_ID", ""),
            s3_secret_access_key=env.get("WORKPHONE_S3_SECRET_ACCESS_KEY", ""),
            s3_url_style=env.get("WORKPHONE_S3_URL_STYLE", "path"),
            retention_years=int(env.get("WORKPHONE_RETENTION_YEARS", "5")),
            engine=env.get("WORKPHONE_ENGINE", "duckdb"),
            model_max_age_days=float(env.get("WORKPHONE_MODEL_MAX_AGE_DAYS", "7")),
            partitions_start=env.get("WORKPHONE_PARTITIONS_START", "2024-01-01"),
            asr_backend=env.get("WORKPHONE_ASR_BACKEND", "faster-whisper"),
            asr_model_dir=Path(env.get("WORKPHONE_ASR_MODEL_DIR") or default_model_dir()),
            asr_align_model_dir=_optional_path(env.get("WORKPHONE_ASR_ALIGN_MODEL_DIR")),
            asr_threads=int(env.get("WORKPHONE_ASR_THREADS", "2")),
            asr_beam_size=int(env.get("WORKPHONE_ASR_BEAM_SIZE", "5")),
            asr_max_seconds=float(env.get("WORKPHONE_ASR_MAX_SECONDS", "7200")),
            dashboard_address=env.get("WORKPHONE_DASHBOARD_ADDRESS", "127.0.0.1"),
            dashboard_port=int(env.get("WORKPHONE_DASHBOARD_PORT", "8501")),
            dashboard_users_path=_optional_path(env.get("WORKPHONE_DASHBOARD_USERS")),
        )

    @property
    def raw_dir(self) -> Path:
        return self.home / "raw"

    @property
    def lake_uri(self) -> str:
        """The lake as configured: an absolute local path or an ``s3://`` URI."""
        if self.lake and self.lake.startswith("s3://"):
            return self.lake.rstrip("/")
        return str(Path(self.lake).resolve() if self.lake else self.home / "lake")

    @property
    def lake_store(self) -> LakeStore:
        return LakeStore(self.lake_uri, S3Options(
            endpoint=self.s3_endpoint, region=self.s3_region,
            access_key_id=self.s3_access_key_id, secret_access_key=self.s3_secret_access_key,
            url_style=self.s3_url_style))

    @property
    def lake_dir(self) -> Path:
        """The folder of a local lake (for tools that work on its files)."""
        if self.lake_uri.startswith("s3://"):
            raise ValueError(f"WORKPHONE_LAKE={self.lake_uri} is on object storage, not a "
                             "folder: use lake_store")
        return Path(self.lake_uri)

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def alerts_sink(self) -> Path:
        """JSON Lines file that every raised alert is appended to (for a webhook to read)."""
        return self.home / "alerts" / "alerts.jsonl"

    @property
    def spark_warehouse_dir(self) -> Path:
        """The tables of a dbt build on Spark, one Parquet folder each (spark.sql.warehouse.dir
        of the spark target in dbt/profiles.yml)."""
        return self.home / "spark" / "warehouse"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's artifacts of the last build (manifest.json, run_results.json, dbt.log)."""
        return self.home / "dbt" / "target"

    @property
    def search_index_path(self) -> Path:
        """The full-text index of every transcript and chat turn (built after the warehouse)."""
        return self.home / "search.duckdb"

    @property
    def users_path(self) -> Path:
        """The dashboard's users: name, role, agency, password hash (never a clear password)."""
        return self.dashboard_users_path or self.home / "config" / "users.yaml"

    @property
    def access_log_path(self) -> Path:
        """JSON Lines: one line for every view of a conversation or customer (who, what, when)."""
        return self.home / "logs" / "access.jsonl"


def _optional_path(value: str | None) -> Path | None:
    return Path(value) if value else None


def get_settings() -> Settings:
    return Settings.from_env()
