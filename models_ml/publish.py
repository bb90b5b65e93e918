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


def publish_partitions(frame: pl.DataFrame, day_column: str, dataset: str, lake_dir: Path,
                       warehouse_path: Path, table: str, order_by: str) -> int:
    """Write ``frame`` as one ``dt=`` partition per value of ``day_column`` under
    ``lake_dir/dataset`` (each written to a staging folder, then renamed into place, replacing
    that day and keeping the others), rebuild ``table`` from the whole dataset ordered by
    ``order_by``, and return its row count."""
    root = Path(lake_dir) / dataset
    staging = Path(lake_dir) / "_staging" / f"{dataset}-{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    try:
        for (day,), part in frame.group_by([day_column], maintain_order=True):
            folder = staging / f"dt={day:%Y-%m-%d}"
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
    schema = table.split(".")[0]
    glob = str(root / "dt=*" / "*.parquet")
    with duckdb.connect(str(warehouse_path)) as con:
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create or replace table {table} as select * exclude (dt) from "
                    f"read_parquet('{glob}', hive_partitioning = true) order by {order_by}")
        return con.execute(f"select count(*) from {table}").fetchone()[0]
