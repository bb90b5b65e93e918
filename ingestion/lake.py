"""The Parquet lake: atomic publication of partitions, the file manifest, existing keys.

Layout under ``WORKPHONE_HOME/lake``::

    <feed>/dt=YYYY-MM-DD/part-<batch>.parquet     landed records (zstd), by delivery day
    quarantine/feed=<feed>/part-<batch>.parquet   records that broke their contract
    _manifest/<feed>/batch-<batch>.parquet        which raw files each batch ingested
    _staging/<batch>/                             work in progress, never read

``dt`` is the day the records' raw file was delivered (its folder, or its name's suffix for
exports), the key of the Dagster daily partitions: a partition's run writes into its own lake
partition and nowhere else. When a record happened is its event-time column.

A batch is written under ``_staging`` and each finished file is moved into place with one
atomic rename, so a reader never sees half a file and a crash leaves only staging behind
(cleared by the next run). The manifest is written last: a batch that crashed before it is
simply ingested again, and record keys already in the lake are skipped as duplicates.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb


class Lake:
    def __init__(self, root: Path) -> None:
        self.root = root

    def feed_dir(self, feed: str) -> Path:
        return self.root / feed

    def staging(self, batch_id: str) -> Path:
        return self.root / "_staging" / batch_id

    def clear_staging(self) -> None:
        """Remove what a crashed run left in staging (never visible to readers)."""
        shutil.rmtree(self.root / "_staging", ignore_errors=True)

    def files_glob(self, feed: str) -> str:
        return str(self.feed_dir(feed) / "dt=*" / "*.parquet")

    def has_data(self, feed: str) -> bool:
        return any(self.feed_dir(feed).glob("dt=*/*.parquet"))

    def manifest_glob(self, feed: str) -> str:
        return str(self.root / "_manifest" / feed / "*.parquet")

    def quarantine_glob(self, feed: str | None = None) -> str:
        part = f"feed={feed}" if feed else "feed=*"
        return str(self.root / "quarantine" / part / "*.parquet")

    def publish_tree(self, staged: Path, target: Path) -> list[Path]:
        """Move every file under ``staged`` to the same relative place under ``target``."""
        moved = []
        for path in sorted(staged.rglob("*.parquet")):
            destination = target / path.relative_to(staged)
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, destination)
            moved.append(destination)
        return moved

    def publish_file(self, staged: Path, destination: Path) -> None:
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, destination)

    def ingested_files(self, con: duckdb.DuckDBPyConnection, feed: str) -> dict[str, str]:
        """relative path -> sha256 of every raw file a finished batch of ``feed`` ingested."""
        if not any((self.root / "_manifest" / feed).glob("*.parquet")):
            return {}
        rows = con.execute(
            f"select source_file, sha256 from read_parquet('{self.manifest_glob(feed)}')"
        ).fetchall()
        return dict(rows)
