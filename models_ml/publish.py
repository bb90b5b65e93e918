"""Publishing model output: dated lake partitions first, then the warehouse table over them.

The lake is the record (one ``dt=`` partition per plan or scoring day, replaced whole when that
day is scored again); the ``ml.`` table in the warehouse is rebuilt from every partition so the
marts, the dashboard and ad-hoc queries see the same rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb
import polars as pl

from ingestion.lake_store import LakeStore


def publish_partitions(frame: pl.DataFrame, day_column: str, dataset: str, store: LakeStore,
                       warehouse_path: Path, table: str, order_by: str) -> int:
    """Write ``frame`` as one ``dt=`` partition per value of ``day_column`` of ``dataset``,
    replacing those days and keeping the others, rebuild ``table`` from the whole dataset
    ordered by ``order_by``, and return its row count."""
    days = [(f"dt={day:%Y-%m-%d}", part)
            for (day,), part in frame.group_by([day_column], maintain_order=True)]
    if store.remote:
        _replace_days_file_by_file(store, dataset, days)
    else:
        _replace_day_folders(Path(store.path()), dataset, days)
    schema = table.split(".")[0]
    glob = store.url(dataset, "dt=*", "*.parquet")
    with store.configure(duckdb.connect(str(warehouse_path))) as con:
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create or replace table {table} as select * exclude (dt) from "
                    f"read_parquet('{glob}', hive_partitioning = true) order by {order_by}")
        return con.execute(f"select count(*) from {table}").fetchone()[0]


def _replace_day_folders(lake: Path, dataset: str, days: list[tuple[str, pl.DataFrame]]) -> None:
    """Each day written into a staging folder, then renamed into place (the old one moved
    aside first and removed with the staging folder)."""
    root = lake / dataset
    staging = lake / "_staging" / f"{dataset}-{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    try:
        for folder_name, part in days:
            folder = staging / folder_name
            folder.mkdir()
            part.write_parquet(folder / "part-0.parquet", compression="zstd")
        root.mkdir(parents=True, exist_ok=True)
        for folder in sorted(p for p in staging.iterdir() if p.name.startswith("dt=")):
            target = root / folder.name
            if target.exists():
                os.rename(target, staging / f".old-{folder.name}")
            os.rename(folder, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace_days_file_by_file(store: LakeStore, dataset: str,
                               days: list[tuple[str, pl.DataFrame]]) -> None:
    """On object storage each day's file is put in place whole, then any other file of that
    day deleted."""
    for folder_name, part in days:
        target = store.path(dataset, folder_name, "part-0.parquet")
        store.write_frame(part, dataset, folder_name, "part-0.parquet")
        for path in store.files(dataset, folder_name, suffix=""):
            if path != target:
                store.filesystem.delete_file(path)
