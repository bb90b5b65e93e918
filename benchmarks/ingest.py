"""Call-log ingestion against a bare DuckDB copy of the same file.

    .venv/bin/python benchmarks/ingest.py [--world-dir DIR] [--repeat 3]

Concatenates the call logs of a `small` world (simulated into a temporary folder unless
--world-dir points at one) into one JSON Lines file, then times, in one process:
- bare: ``COPY (SELECT * FROM read_json(file, ignore_errors = true)) TO 'out.parquet'`` in
  DuckDB (broken lines dropped silently: the bare copy cannot keep them);
- product: ``ingest`` of that file (contract enforcement, quarantine, de-duplication, PII
  tokens and masks, lineage, atomic publication).
Prints rows/s of each and the ratio of their times; writes benchmarks/results/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from ingestion.ingest import ingest
from ingestion.simulator.simulate import simulate
from workphone.settings import Settings

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        world = args.world_dir
        if world is None:
            world = tmp_path / "world"
            simulate("report-2025", "small", world, seed=42)
        raw = tmp_path / "raw"
        target = raw / "devices" / "calls" / "2025-01-01" / "ALL_2025-01-01.jsonl"
        target.parent.mkdir(parents=True)
        with target.open("wb") as out:
            for path in sorted((world / "raw" / "devices" / "calls").glob("*/*.jsonl")):
                out.write(path.read_bytes())
        rows = sum(1 for _ in target.open("rb"))
        bare, product = [], []
        for attempt in range(args.repeat):
            started = time.perf_counter()
            with duckdb.connect() as con:
                con.execute(f"copy (select * from read_json('{target}', ignore_errors = true)) "
                            f"to '{tmp_path / f'bare{attempt}.parquet'}'")
            bare.append(time.perf_counter() - started)
            home = tmp_path / f"home{attempt}"
            settings = Settings(home=home, pii_key_hex="5a" * 32)
            started = time.perf_counter()
            report = ingest(settings, raw=raw, feeds=["calls"])
            product.append(time.perf_counter() - started)
            shutil.rmtree(home)
        counts = report.feeds["calls"]
        result = {
            "rows": rows,
            "bare_seconds": round(min(bare), 3),
            "ingest_seconds": round(min(product), 3),
            "bare_rows_per_second": round(rows / min(bare)),
            "ingest_rows_per_second": round(rows / min(product)),
            "ratio": round(min(product) / min(bare), 2),
            "landed": counts.landed, "quarantined": counts.quarantined,
            "duplicates": counts.duplicates,
        }
    print(f"calls: {rows:,} rows")
    print(f"  bare DuckDB copy : {result['bare_seconds']:.2f} s  "
          f"{result['bare_rows_per_second']:>9,} rows/s")
    print(f"  product ingestion: {result['ingest_seconds']:.2f} s  "
          f"{result['ingest_rows_per_second']:>9,} rows/s")
    print(f"  ratio            : {result['ratio']:.2f} (target <= 2, goal 1.3)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
