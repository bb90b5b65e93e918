"""Simulation throughput: records per second for the `small` and `medium` worlds.

    .venv/bin/python benchmarks/simulate.py [--scales small medium] [--out DIR]

Prints one line per scale and writes benchmarks/results/simulate.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
from pathlib import Path

from ingestion.simulator.simulate import simulate

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["small", "medium"])
    parser.add_argument("--world", default="report-2025")
    parser.add_argument("--out", type=Path, default=None, help="keep the worlds here")
    args = parser.parse_args()
    rows = []
    for scale in args.scales:
        with tempfile.TemporaryDirectory() as tmp:
            out = (args.out / scale) if args.out else Path(tmp)
            result = simulate(args.world, scale, out, seed=42)
            total = sum(result.records.values())
            row = {
                "scale": scale,
                "seconds": round(result.seconds, 1),
                "records": total,
                "communication_records": result.communication_records,
                "records_per_second": round(total / result.seconds),
                "files": sum(1 for p in (out / "raw").rglob("*") if p.is_file()),
            }
        rows.append(row)
        print(f"{scale:>7}: {row['records']:>10,} records in {row['seconds']:>7.1f} s = "
              f"{row['records_per_second']:>8,} records/s ({row['communication_records']:,} "
              f"communication records, {row['files']:,} files)", flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "simulate.json").write_text(json.dumps(
        {"machine": {"cpus": _cpus(), "python": platform.python_version()}, "runs": rows},
        indent=2) + "\n")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
