"""Writing derived datasets into the lake: rebuilt whole, published atomically."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import polars as pl


def write_file(frame: pl.DataFrame, target: Path) -> None:
    """Write one Parquet file beside ``target`` and rename it into place: a reader sees the
    old file or the new one, never half of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.{os.getpid()}.partial")
    frame.write_parquet(staged, compression="zstd")
    os.replace(staged, target)


def replace_dataset(root: Path, frame: pl.DataFrame, time_column: str, order: str) -> None:
    """Write ``frame`` under ``root`` as one zstd file per day of ``time_column``
    (``dt=YYYY-MM-DD/part-0.parquet``), into a fresh folder that then takes the old one's
    place: readers see the old dataset or the new one, never a mixture or half a file. An
    empty ``frame`` leaves one empty file, so the dataset's columns stay readable."""
    staged = root.with_name(f".{root.name}.{os.getpid()}.partial")
    retired = root.with_name(f".{root.name}.{os.getpid()}.old")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    dated = frame.with_columns(dt=pl.col(time_column).dt.date())
    for (day,), part in dated.sort(time_column, order).group_by("dt", maintain_order=True):
        folder = staged / f"dt={day}"
        folder.mkdir()
        part.drop("dt").write_parquet(folder / "part-0.parquet", compression="zstd")
    if frame.is_empty():
        # Nothing found is still a dataset: one typed, empty file (under today's date) lets
        # readers of the lake, the dbt sources among them, see its columns.
        folder = staged / f"dt={dt.date.today()}"
        folder.mkdir()
        frame.write_parquet(folder / "part-0.parquet", compression="zstd")
    if root.exists():
        os.replace(root, retired)
    os.replace(staged, root)
    shutil.rmtree(retired, ignore_errors=True)
