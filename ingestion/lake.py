"""The Parquet lake: atomic publication of partitions, the file manifest, existing keys.

Layout under ``WORKPHONE_HOME/lake``::

    <feed>/dt=YYYY-MM-DD/part-<batch>.parquet     landed records (zstd), by delivery day
    quarantine/feed=<feed>/part-<batch>.parquet   records that broke their contract
    _manifest/<feed>/batch-<batch>.parquet        which raw files each batch ingested
    _staging/<batch>/                             work in progress, never read

``dt`` is the day the records' raw file was delivered (its folder, or its name's suffix for
exports), the key of the Dagster daily partitions: a partition's run writes into its own lake
partition and nowhere else. When a record happened is its event-time column.

A batch is written under ``_staging`` and each finished file is moved into place (an atomic
rename on disk; on object storage, where a file appears whole or not at all, a copy: see
``lake_store``), so a reader never sees half a file and a crash leaves only staging behind
(cleared by the next run). The manifest is written last: a batch that crashed before it is
simply ingested again, and record keys already in the lake are skipped as duplicates.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.lake_store import LakeStore


class Lake:
    """The lake's layout over its store (a local folder, or a ``LakeStore`` on S3)."""

    def __init__(self, location: Path | str | LakeStore) -> None:
        self.store = location if isinstance(location, LakeStore) else LakeStore(location)

    def files_glob(self, feed: str) -> str:
        return self.store.url(feed, "dt=*", "*.parquet")

    def has_data(self, feed: str) -> bool:
        return self.store.has_files(feed)

    def manifest_glob(self, feed: str = "*") -> str:
        return self.store.url("_manifest", feed, "*.parquet")

    def has_manifests(self, feed: str | None = None) -> bool:
        return self.store.has_files(*(["_manifest", feed] if feed else ["_manifest"]))

    def quarantine_glob(self, feed: str | None = None) -> str:
        return self.store.url("quarantine", f"feed={feed}" if feed else "feed=*", "*.parquet")

    def has_quarantine(self, feed: str | None = None) -> bool:
        return self.store.has_files(*(["quarantine", f"feed={feed}"] if feed else
                                      ["quarantine"]))

    def staged_file(self, batch_id: str, *parts: str) -> str:
        """Where batch ``batch_id`` writes a file of its work in progress (DuckDB's name for
        it; a local folder is created for it)."""
        self.store.make_parent("_staging", batch_id, *parts)
        return self.store.url("_staging", batch_id, *parts)

    def clear_staging(self) -> None:
        """Remove what a crashed run left in staging (never visible to readers)."""
        self.store.delete_tree("_staging")

    def publish_staged(self, batch_id: str, folder: str, *target: str) -> list[str]:
        """Move every file the batch staged under ``folder`` to the same relative place under
        ``target`` (parts below the lake's root); return where they went."""
        staged = self.store.path("_staging", batch_id, folder)
        moved = []
        for path in self.store.files("_staging", batch_id, folder):
            destination = self.store.path(*target, path[len(staged) + 1:])
            self.store.move(path, destination)
            moved.append(destination)
        return moved

    def ingested_files(self, con: duckdb.DuckDBPyConnection, feed: str) -> dict[str, str]:
        """relative path -> sha256 of every raw file a finished batch of ``feed`` ingested."""
        if not self.has_manifests(feed):
            return {}
        rows = con.execute(
            f"select source_file, sha256 from read_parquet('{self.manifest_glob(feed)}')"
        ).fetchall()
        return dict(rows)
