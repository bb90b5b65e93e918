"""The dbt build of the warehouse on DuckDB and on Spark, world by world: where Spark catches up.

    .venv/bin/python benchmarks/engines.py --home DIR [--label NAME] [--home DIR ...]
        [--engines duckdb spark] [--work-dir DIR] [--timeout SECONDS]

--home: a processed WORKPHONE_HOME (what `workphone run` leaves; its lake filled), repeatable,
labelled by its folder name unless --label is given (once per --home, in the same order). The
home is only read: for each engine its lake is copied (``cp -a``) to
``<work-dir>/<label>/<engine>/lake`` and the build runs there, so each build is a first one
(no warehouse yet, every incremental model built whole) and neither engine sees the other's.

Each build is ``dbt build`` of the whole project as `workphone run`'s dbt stage runs it: the
venv's dbt, this repository's project and profile, the environment of ``dbt_env`` (the target is
the engine: duckdb, or spark, the local session of dbt/profiles.yml), the artifacts under the
copy's ``dbt/target``. Recorded: wall time, the peak resident memory of dbt's process tree (the
Spark JVM included) sampled every 0.5 s, dbt's results by kind and status, and the rows and bytes
of the lake. A build still running after --timeout seconds is stopped and recorded as such.

After each build benchmarks/results/engines.json and engines.md are written (what has been
measured so far): the machine, the table scale × engine, the ratio Spark / DuckDB per scale and,
from the growth between the two largest scales, the lake size where Spark would catch up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from run_all import count_parquet_rows, machine, tree_rss_mib
from warehouse import dbt_build_command

from dagster_project.defs.transform.resources import dbt_env
from dagster_project.pipeline import dbt_results
from speech_analytics.batch import start_speech_datasets
from workphone.settings import Settings

RESULTS = Path(__file__).parent / "results"
ENGINES = ("duckdb", "spark")
NOT_FEEDS = ("_manifest", "_staging")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, action="append", required=True,
                        help="a processed WORKPHONE_HOME (repeatable)")
    parser.add_argument("--label", action="append", default=[],
                        help="the scale's name, one per --home (default: the folder's name)")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--work-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "workphone-engines",
                        help="where the copies are built (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds after which a build is stopped (default: none)")
    args = parser.parse_args()
    if args.label and len(args.label) != len(args.home):
        parser.error("give --label once per --home, or not at all")
    labels = args.label or [home.resolve().name for home in args.home]

    result = {"machine": machine(), "timeout_s": args.timeout, "scales": []}
    for home, label in zip(args.home, labels, strict=True):
        scale = {"scale": label, "home": str(home.resolve()), **lake_size(home / "lake"),
                 "builds": []}
        result["scales"].append(scale)
        for engine in args.engines:
            copy = copy_home(home, args.work_dir.resolve() / label / engine)
            scale["builds"].append(build(copy, engine, label, args.timeout))
            write(result)
    print(markdown(result))


def lake_size(lake: Path) -> dict:
    """The rows of every dataset of the lake, of calls and messages, and its Parquet bytes."""
    print(f"counting the rows of {lake}", file=sys.stderr, flush=True)
    others = tuple(p.name for p in lake.iterdir() if p.name not in ("calls", "messages"))
    return {"lake_rows": count_parquet_rows(lake, exclude=NOT_FEEDS),
            "calls_and_messages": count_parquet_rows(lake, exclude=others),
            "lake_mib": round(sum(p.stat().st_size for p in lake.rglob("*.parquet")) / 2**20, 1)}


def copy_home(home: Path, copy: Path) -> Path:
    """A home holding a copy of ``home``'s lake and nothing else (dbt reads only the lake)."""
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    print(f"copying {home / 'lake'} to {copy / 'lake'}", file=sys.stderr, flush=True)
    subprocess.run(["cp", "-a", str(home / "lake"), str(copy / "lake")], check=True)
    return copy


def build(home: Path, engine: str, label: str, timeout: float | None) -> dict:
    settings = Settings(home=home, engine=engine)
    start_speech_datasets(settings)  # as the dbt asset does, for a world never transcribed
    target = settings.dbt_target_dir
    target.mkdir(parents=True, exist_ok=True)
    print(f"[{label} {engine}] dbt build in {home}", file=sys.stderr, flush=True)
    run = tracked(dbt_build_command(target), {**os.environ, **dbt_env(settings)},
                  f"[{label} {engine}] ", timeout)
    counts, failures = dbt_results(target)
    succeeded = run["exit_code"] == 0 and not failures
    print(f"[{label} {engine}] {'succeeded' if succeeded else 'FAILED'} in {run['seconds']} s, "
          f"peak {run['peak_rss_mib']:,} MiB", file=sys.stderr, flush=True)
    return {"engine": engine, "copy": str(home), **run, "succeeded": succeeded,
            "results": counts, "failures": failures}


def tracked(command: list[str], env: dict[str, str], prefix: str,
            timeout: float | None) -> dict:
    """Run ``command``, echoing its output with ``prefix``: wall time, exit code (None when
    stopped at ``timeout``) and the peak resident memory (MiB) of its process tree."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            peak[0] = max(peak[0], tree_rss_mib(child.pid))

    def echo() -> None:
        for line in child.stdout:
            sys.stderr.write(prefix + line)

    threads = [threading.Thread(target=sample), threading.Thread(target=echo)]
    for thread in threads:
        thread.start()
    try:
        exit_code = child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)  # dbt and the Spark JVM it started
        child.wait()
        exit_code = None
    done.set()
    for thread in threads:
        thread.join()
    return {"seconds": round(time.perf_counter() - started, 1), "exit_code": exit_code,
            "timed_out": exit_code is None, "peak_rss_mib": round(peak[0])}


def write(result: dict) -> None:
    result["comparison"] = comparison(result["scales"])
    result["crossover"] = crossover(result["comparison"])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "engines.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "engines.md").write_text(markdown(result))


def comparison(scales: list[dict]) -> list[dict]:
    """Per scale where both engines built successfully: their seconds and Spark / DuckDB."""
    out = []
    for scale in scales:
        seconds = {b["engine"]: b["seconds"] for b in scale["builds"] if b["succeeded"]}
        if set(seconds) >= set(ENGINES):
            out.append({"scale": scale["scale"], "lake_rows": scale["lake_rows"],
                        "lake_mib": scale["lake_mib"], "duckdb_s": seconds["duckdb"],
                        "spark_s": seconds["spark"],
                        "ratio": round(seconds["spark"] / seconds["duckdb"], 2)})
    return out


def crossover(compared: list[dict]) -> dict | None:
    """Where Spark would catch up, extrapolated linearly from the two largest scales compared.

    Each engine's time between them is taken as fixed + marginal cost × lake rows; the marginal
    cost is the growth of its time per row from one scale to the other. Spark's fixed cost (the
    JVM, a Spark job per model and per test) is the larger; if DuckDB's marginal cost is the
    larger, the lines meet at (Spark's fixed − DuckDB's fixed) / (DuckDB's − Spark's marginal).
    """
    if len(compared) < 2:
        return None
    lower, upper = sorted(compared, key=lambda c: c["lake_rows"])[-2:]
    rows = upper["lake_rows"] - lower["lake_rows"]
    if rows <= 0:
        return None
    marginal = {e: (upper[f"{e}_s"] - lower[f"{e}_s"]) / rows for e in ENGINES}
    fixed = {e: upper[f"{e}_s"] - marginal[e] * upper["lake_rows"] for e in ENGINES}
    out = {"from": lower["scale"], "to": upper["scale"],
           "seconds_per_million_rows": {e: round(m * 1e6, 2) for e, m in marginal.items()},
           "fixed_seconds": {e: round(f, 1) for e, f in fixed.items()}}
    if marginal["duckdb"] <= marginal["spark"]:
        return out | {"lake_rows": None}
    at = (fixed["spark"] - fixed["duckdb"]) / (marginal["duckdb"] - marginal["spark"])
    mib_per_row = upper["lake_mib"] / upper["lake_rows"]
    return out | {"lake_rows": round(at), "lake_mib": round(at * mib_per_row),
                  "times_largest": round(at / upper["lake_rows"], 1),
                  "seconds": round(fixed["duckdb"] + marginal["duckdb"] * at)}


def markdown(result: dict) -> str:
    m = result["machine"]
    scales = result["scales"]
    lines = [f"# dbt build on DuckDB and on Spark ({m['cores']} cores, {m['memory_gib']} GiB)",
             "", f"Scales measured: {', '.join(s['scale'] for s in scales)}. The whole project "
             "(`dbt build`, every model, seed and test) from an empty warehouse; Spark is the "
             "local session of `dbt/profiles.yml` (`local[2]`, 2 GB driver). Peak memory: the "
             "resident set of dbt's process tree (the JVM included).", "",
             "| scale | lake rows | calls + messages | lake MiB | engine | seconds | "
             "peak memory (MiB) | result |", "|---|---:|---:|---:|---|---:|---:|---|"]
    for s in scales:
        for b in s["builds"]:
            lines.append(f"| {s['scale']} | {s['lake_rows']:,} | {s['calls_and_messages']:,} | "
                         f"{s['lake_mib']:,} | {b['engine']} | {b['seconds']:,} | "
                         f"{b['peak_rss_mib']:,} | {outcome(b)} |")
    if result["comparison"]:
        lines += ["", "| scale | DuckDB s | Spark s | Spark / DuckDB |", "|---|---:|---:|---:|"]
        lines += [f"| {c['scale']} | {c['duckdb_s']:,} | {c['spark_s']:,} | {c['ratio']} |"
                  for c in result["comparison"]]
    lines += unfinished(scales)
    lines += ["", "## Crossover (extrapolation)", "", crossover_text(result["crossover"])]
    return "\n".join(lines) + "\n"


def unfinished(scales: list[dict]) -> list[str]:
    """A line for each scale where Spark was stopped and DuckDB finished: the bound it gives."""
    out = []
    for s in scales:
        builds = {b["engine"]: b for b in s["builds"]}
        duckdb, spark = builds.get("duckdb"), builds.get("spark")
        if duckdb and spark and duckdb["succeeded"] and spark["timed_out"]:
            out += ["", f"On {s['scale']} the Spark build did not finish within "
                    f"{spark['seconds']:,} s: Spark / DuckDB is at least "
                    f"{spark['seconds'] / duckdb['seconds']:.2f} there."]
    return out


def outcome(build: dict) -> str:
    if build["timed_out"]:
        return f"stopped after {build['seconds']:,} s (timeout)"
    tests = build["results"].get("test", {})
    models = build["results"].get("model", {})
    others = "".join(f", {n} {status}" for status, n in sorted(tests.items()) if status != "pass")
    done = (f"{models.get('success', 0)}/{sum(models.values())} models, "
            f"{tests.get('pass', 0)}/{sum(tests.values())} tests passed{others}")
    return done if build["succeeded"] else f"failed (exit {build['exit_code']}; {done})"


def crossover_text(cross: dict | None) -> str:
    if cross is None:
        return ("Not computed: it needs two scales where both engines built successfully.")
    per_m = cross["seconds_per_million_rows"]
    growth = (f"From {cross['from']} to {cross['to']}, each further million lake rows cost "
              f"DuckDB {per_m['duckdb']} s and Spark {per_m['spark']} s (fixed part "
              f"{cross['fixed_seconds']['duckdb']} s and {cross['fixed_seconds']['spark']} s).")
    if cross["lake_rows"] is None:
        limit = per_m["spark"] / per_m["duckdb"] if per_m["duckdb"] > 0 else None
        tends = (f"; the ratio Spark / DuckDB would tend to {limit:.2f} at large sizes"
                 if limit else "")
        return (f"{growth} Spark's time grows at least as fast as DuckDB's here: extrapolating "
                f"these straight lines beyond the measured scales, Spark does not catch up on "
                f"this machine at any size{tends}. This is an extrapolation, not a "
                f"measurement.")
    return (f"{growth} Extrapolating these straight lines beyond the measured scales, Spark "
            f"would catch up at about {cross['lake_rows']:,} lake rows (about "
            f"{cross['lake_mib']:,} MiB of Parquet, {cross['times_largest']} times "
            f"{cross['to']}), both taking about {cross['seconds']:,} s. This is an "
            f"extrapolation, not a measurement: memory (DuckDB spilling, Spark's 2 GB driver) "
            f"can bend either line long before that size.")


if __name__ == "__main__":
    main()
