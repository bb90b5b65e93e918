"""Writing derived datasets into the lake: rebuilt whole, each file published whole.

On disk a dataset is written into a fresh folder that then takes the old one's place (one
rename): readers see the old dataset or the new one. Object storage has no rename: there each
day's file is put in place whole (an object appears whole or not at all), then the files of days
the new dataset no longer has are deleted; a reader during the replacement may see some days
old and some new, never half a file (the pipeline's own readers, the dbt build among them, run
after it).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import polars as pl

from ingestion.lake_store import LakeStore


def write_file(frame: pl.DataFrame, store: LakeStore, *parts: str) -> None:
    """Write one Parquet file at ``parts`` below the lake's root, whole (see
    ``LakeStore.write_frame``)."""
    store.write_frame(frame, *parts)


def replace_dataset(store: LakeStore, dataset: str, frame: pl.DataFrame, time_column: str,
                    order: str) -> None:
    """Write ``frame`` as ``dataset``, one zstd file per day of ``time_column``
    (``dt=YYYY-MM-DD/part-0.parquet``), replacing what the dataset held. An empty ``frame``
    leaves one empty file (under today's date), so the dataset's columns stay readable."""
    dated = frame.with_columns(dt=pl.col(time_column).dt.date())
    days = [(str(day), part.drop("dt"))
            for (day,), part in dated.sort(time_column, order).group_by("dt",
                                                                         maintain_order=True)]
    if frame.is_empty():
        days = [(str(dt.date.today()), frame)]
    if store.remote:
        _replace_file_by_file(store, dataset, days)
    else:
        _replace_folder(Path(store.path(dataset)), days)


def _replace_folder(root: Path, days: list[tuple[str, pl.DataFrame]]) -> None:
    staged = root.with_name(f".{root.name}.{os.getpid()}.partial")
    retired = root.with_name(f".{root.name}.{os.getpid()}.old")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    for day, part in days:
        folder = staged / f"dt={day}"
        folder.mkdir()
        part.write_parquet(folder / "part-0.parquet", compression="zstd")
    if root.exists():
        os.replace(root, retired)
    os.replace(staged, root)
    shutil.rmtree(retired, ignore_errors=True)


def _replace_file_by_file(store: LakeStore, dataset: str,
                          days: list[tuple[str, pl.DataFrame]]) -> None:
    written = set()
    for day, part in days:
        parts = (dataset, f"dt={day}", "part-0.parquet")
        store.write_frame(part, *parts)
        written.add(store.path(*parts))
    for path in store.files(dataset, suffix=""):
        if path not in written:
            store.filesystem.delete_file(path)
