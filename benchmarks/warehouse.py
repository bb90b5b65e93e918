"""The dbt build of the warehouse: wall time, and rows per second of the largest models.

    .venv/bin/python benchmarks/warehouse.py --home DIR [--select staging] [--top 10]
    .venv/bin/python benchmarks/warehouse.py --scales small medium [--work-dir DIR]

--home: a WORKPHONE_HOME whose lake holds everything up to the conversation features (what
`workphone run` or `make demo` leaves); its warehouse's dbt schemas (staging, intermediate,
marts) are rebuilt. --select: a dbt selection, whose tests run when all their parents are
selected (``--indirect-selection cautious``). --scales: for each scale, a home under
--work-dir (default a temporary folder) is simulated (report-2025, seed 42, no call audio)
and taken through ingestion and conversation analytics with `workphone run`'s stages (no
speech: the marts do not need the few transcripts; no dbt), or reused when
``<work-dir>/<scale>`` already has conversation features.

Each home gets one ``dbt build`` (the venv's dbt, this repository's project and profile,
``--target-path`` in a temporary folder; parsing included in the wall time). For every model
run_results.json gives its execution time; its rows are counted in the warehouse afterwards;
rows/s = rows / execution time (for views: the time to create the view, so the rate of tables
is the one that means throughput). Writes benchmarks/results/warehouse.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dagster_project.defs.transform.project import DBT_DIR, dbt_executable
from dagster_project.defs.transform.resources import dbt_env
from speech_analytics.batch import start_speech_datasets
from workphone.settings import Settings

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--home", type=Path, help="a WORKPHONE_HOME analysed up to features")
    where.add_argument("--scales", nargs="+", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="with --scales: homes at <work-dir>/<scale>, reused when built")
    parser.add_argument("--select", default=None, help="dbt selection (default: everything)")
    parser.add_argument("--threads", type=int, default=None, help="dbt threads (profile: 2)")
    parser.add_argument("--top", type=int, default=10, help="largest models to report")
    args = parser.parse_args()

    runs = []
    if args.home:
        runs.append(measure(args.home.resolve(), str(args.home), args.select, args.threads,
                            args.top))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            work = (args.work_dir or Path(tmp)).resolve()
            for scale in args.scales:
                home = prepare_home(work / scale, scale)
                runs.append(measure(home, scale, args.select, args.threads, args.top))
    result = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "platform": platform.platform()},
              "select": args.select or "everything", "runs": runs}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "warehouse.json").write_text(json.dumps(result, indent=2) + "\n")
    print_table(runs)


def prepare_home(home: Path, scale: str) -> Path:
    """``home`` simulated and analysed up to the conversation features (reused when done)."""
    if (home / "lake" / "conversation_features").is_dir():
        print(f"[{scale}] reusing {home}", file=sys.stderr)
        return home
    from dagster_project.pipeline import run_pass
    from ingestion.simulator.simulate import simulate

    def say(message: str) -> None:
        print(f"[{scale}] {message}", file=sys.stderr)

    say(f"simulating into {home}")
    simulate("report-2025", scale, home, seed=42, progress=say, recordings=0)
    summary = run_pass(Settings(home=home), say=say, dbt=False, speech=False)
    if not summary.success:
        raise SystemExit(f"[{scale}] the upstream stages failed: {summary.as_dict()['stages']}")
    return home


def measure(home: Path, label: str, select: str | None, threads: int | None,
            top: int) -> dict:
    settings = Settings(home=home)
    start_speech_datasets(settings)  # as the dbt asset does: a home without transcripts yet
    with tempfile.TemporaryDirectory() as target:
        command = dbt_build_command(Path(target), select, threads)
        env = {**os.environ, **dbt_env(settings)}
        print(f"[{label}] {' '.join(command[1:])}", file=sys.stderr)
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        results_path = Path(target) / "run_results.json"
        if not results_path.exists():
            raise SystemExit(f"[{label}] dbt build wrote no run_results.json:\n"
                             f"{done.stdout[-3000:]}{done.stderr[-3000:]}")
        run_results = json.loads(results_path.read_text("utf-8"))
        manifest = json.loads((Path(target) / "manifest.json").read_text("utf-8"))
    statuses: dict[str, dict[str, int]] = {}
    failures = []
    models = []
    for result in run_results["results"]:
        unique_id = result["unique_id"]
        kind = unique_id.split(".")[0]
        statuses.setdefault(kind, {}).setdefault(result["status"], 0)
        statuses[kind][result["status"]] += 1
        if result["status"] in ("error", "fail"):
            failures.append(f"{kind} {unique_id.split('.')[2]}: {result['status']}")
        if kind == "model" and result["status"] == "success":
            node = manifest["nodes"][unique_id]
            models.append({"model": f"{node['schema']}.{node['alias']}",
                           "materialized": node["config"]["materialized"],
                           "seconds": round(result["execution_time"], 3)})
    count_rows(settings.warehouse_path, models)
    models.sort(key=lambda m: m["rows"], reverse=True)
    tables = [m for m in models if m["materialized"] != "view"]
    table_rows, table_s = sum(m["rows"] for m in tables), sum(m["seconds"] for m in tables)
    return {"home": label, "dbt_exit_code": done.returncode, "wall_s": round(wall, 1),
            "dbt_elapsed_s": round(run_results.get("elapsed_time", 0.0), 1),
            "statuses": statuses, "failures": failures, "models_built": len(models),
            "table_rows": table_rows, "table_seconds": round(table_s, 2),
            "table_rows_per_s": round(table_rows / table_s) if table_s else None,
            "largest": models[:top]}


def dbt_build_command(target: Path, select: str | None = None,
                      threads: int | None = None) -> list[str]:
    """``dbt build`` with the venv's dbt, this repository's project and profile, artifacts and
    log in ``target``."""
    return [dbt_executable(), "build", "--project-dir", str(DBT_DIR),
            "--profiles-dir", str(DBT_DIR), "--target-path", str(target),
            "--log-path", str(target),
            # a selection runs only the tests whose parents are all selected
            *(["--select", select, "--indirect-selection", "cautious"] if select else []),
            *(["--threads", str(threads)] if threads else [])]


def count_rows(warehouse: Path, models: list[dict]) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for model in models:
            schema, name = model["model"].split(".", 1)
            model["rows"] = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            model["rows_per_s"] = (round(model["rows"] / model["seconds"])
                                   if model["seconds"] else None)


def print_table(runs: list[dict]) -> None:
    for run in runs:
        counts = "; ".join(f"{kind}: " + ", ".join(f"{n} {s}" for s, n in sorted(c.items()))
                           for kind, c in sorted(run["statuses"].items()))
        print(f"\n{run['home']}: dbt build {run['wall_s']} s wall ({run['dbt_elapsed_s']} s in "
              f"dbt, exit {run['dbt_exit_code']}); {counts}")
        for failure in run["failures"]:
            print(f"failed: {failure}")
        if run["table_rows_per_s"] is not None:
            print(f"tables: {run['table_rows']:,} rows in {run['table_seconds']} s = "
                  f"{run['table_rows_per_s']:,} rows/s")
        print(f"{'model':<52} {'kind':<12} {'rows':>12} {'seconds':>9} {'rows/s':>12}")
        for m in run["largest"]:
            rate = f"{m['rows_per_s']:,}" if m["rows_per_s"] is not None else "-"
            print(f"{m['model']:<52} {m['materialized']:<12} {m['rows']:>12,} "
                  f"{m['seconds']:>9.3f} {rate:>12}")


if __name__ == "__main__":
    main()
