"""The one settings object: every path and secret the product uses, read once.

Nothing else in the code base reads the environment. Values come from environment variables
(``WORKPHONE_*``) with local defaults, so a fresh checkout works with no configuration.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    """Where the product reads and writes, and the knobs that are configuration, not code."""

    model_config = ConfigDict(frozen=True)

    home: Path = Field(description="WORKPHONE_HOME: root of everything the product writes")
    pii_key_hex: str | None = Field(
        default=None, description="WORKPHONE_PII_KEY: hex key for PII tokens (else keys/pii.key)"
    )
    retention_years: int = Field(
        default=5, ge=1, description="WORKPHONE_RETENTION_YEARS: how long communications are kept"
    )
    partitions_start: str = Field(
        default="2024-01-01",
        description="WORKPHONE_PARTITIONS_START: first delivery day of the daily partitions",
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            home=Path(env.get("WORKPHONE_HOME", "data")).resolve(),
            pii_key_hex=env.get("WORKPHONE_PII_KEY") or None,
            retention_years=int(env.get("WORKPHONE_RETENTION_YEARS", "5")),
            partitions_start=env.get("WORKPHONE_PARTITIONS_START", "2024-01-01"),
        )

    @property
    def raw_dir(self) -> Path:
        return self.home / "raw"

    @property
    def lake_dir(self) -> Path:
        return self.home / "lake"

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"


def get_settings() -> Settings:
    return Settings.from_env()
