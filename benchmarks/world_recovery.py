"""Planted against measured: every parameter a simulated world planted, as the warehouse measures
it from raw events only.

    .venv/bin/python benchmarks/world_recovery.py [--home DIR ...]

Each --home is a WORKPHONE_HOME where the whole pipeline ran (`make demo` for ./data, the
default). Prints one table per home (parameter, key, planted, measured, tolerance, within) and
writes benchmarks/results/world_recovery.json and world_recovery.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import polars as pl

from workphone.world_recovery import recovery_table

RESULTS = Path(__file__).parent / "results"


def _markdown(name: str, table) -> list[str]:
    lines = [f"## {name}", "", "| parameter | key | planted | measured | tolerance | within |",
             "|---|---|---:|---:|---:|:---:|"]
    for row in table.iter_rows(named=True):
        tolerance = ("" if row["tolerance"] is None else
                     f"{row['tolerance']:.0%}" + (" rel." if row["relative"] else " abs."))
        within = {True: "yes", False: "**no**", None: ""}[row["within"]]
        measured = "" if row["measured"] is None else f"{row['measured']:.4g}"
        lines.append(f"| {row['parameter']} | {row['key']} | {row['planted']:.4g} | {measured} "
                     f"| {tolerance} | {within} |")
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, nargs="+", default=[Path("data")])
    args = parser.parse_args()
    results, markdown = {}, ["# World recovery: planted against measured", ""]
    for home in args.home:
        world = json.loads((home / "ground_truth" / "world.json").read_text())["name"]
        table = recovery_table(home)
        promised = table.filter(table["within"].is_not_null())
        print(f"{home} (world {world}): {promised['within'].sum()} of {promised.height} "
              "promised parameters within tolerance")
        with pl.Config(tbl_rows=-1, tbl_width_chars=160):
            print(table)
        results[str(home)] = {"world": world, "rows": table.to_dicts()}
        markdown += _markdown(f"{world} ({home})", table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "world_recovery.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "world_recovery.md").write_text("\n".join(markdown))


if __name__ == "__main__":
    main()
