"""The whole pipeline on the `medium` and `large` worlds: each stage's wall time, throughput and
peak memory, growth from one scale to the next, and one more day carried through every stage.

    .venv/bin/python benchmarks/run_all.py [--scales medium large] [--root DIR] [--fresh]

For each scale, a home under --root (default ``$WORKPHONE_HOME/../bench``) is simulated
(report-2025, seed 42) unless it is already there (--fresh: simulate again). The last full
delivery day of the raw captures (and the late uploads after it) is held back; `workphone run
--json` then takes the rest through every stage (ingest, speech, conversation, dbt build,
models, search) in a child process whose memory (the resident set of the process and all its
children, sampled every 0.2 s) is attributed to the stage it is in by the stage lines it
prints. The held-back days are then put back and `workphone run` is timed again: the
incremental run, against the full one (the models are scored with the versions the full run
trained). Search latency comes from ``benchmarks/dashboard.py`` where it exists. Writes
benchmarks/results/run_all.json and run_all.md (the machine, one table per scale, the growth
table).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import duckdb

HERE = Path(__file__).parent
RESULTS = HERE / "results"
WORKPHONE = str(Path(sys.executable).parent / "workphone")
STAGE_LINE = re.compile(r"stage \d+/\d+ (?P<name>[a-z]+)[a-z ]*:")
HELD_BACK = "held_back"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["medium", "large"],
                        choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--root", type=Path, default=None)
    parser.add_argument("--fresh", action="store_true", help="simulate every world again")
    args = parser.parse_args()
    root = (args.root or Path(os.environ.get("WORKPHONE_HOME", "data")).resolve().parent
            / "bench").resolve()
    runs = [measure_scale(root / scale, scale, args.fresh) for scale in args.scales]
    result = {"machine": machine(), "runs": runs, "growth": growth(runs)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "run_all.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "run_all.md").write_text(markdown(result))
    print(markdown(result))


def measure_scale(home: Path, scale: str, fresh: bool) -> dict:
    say = lambda message: print(f"[{scale}] {message}", file=sys.stderr, flush=True)  # noqa: E731
    stages = []
    if fresh or not (home / "raw").is_dir():
        shutil.rmtree(home, ignore_errors=True)
        say("simulating")
        run = tracked([WORKPHONE, "simulate", "--world", "report-2025", "--scale", scale,
                       "--out", str(home)], home)
        printed = json.loads(run["stdout"].strip().splitlines()[-1])
        records = sum(printed["records"].values())
        stages.append({"stage": "simulate", "seconds": run["seconds"],
                       "peak_rss_mib": run["peak"].get("", 0), "rows": records,
                       "per_second": round(records / run["seconds"])})
        say(f"held back for the incremental run: {hold_back_last_day(home)}")
    elif not (home / HELD_BACK).is_dir():
        raise SystemExit(f"{home} was processed without a held-back day: run with --fresh")
    say("full run")
    full = tracked([WORKPHONE, "run", "--json"], home)
    summary = json.loads(full["stdout"].strip().splitlines()[-1])
    stages += stage_rows(summary, full["peak"], volumes(home))
    say("one more day")
    day = restore_held_back(home)
    more = tracked([WORKPHONE, "run", "--json"], home)
    incremental = json.loads(more["stdout"].strip().splitlines()[-1])
    full_s = sum(s["seconds"] for s in summary["stages"])
    more_s = sum(s["seconds"] for s in incremental["stages"])
    return {"scale": scale, "home": str(home), "stages": stages,
            "full_run_seconds": round(full_s, 1), "full_run_peak_rss_mib": max(
                full["peak"].values(), default=0),
            "incremental": {"day": day, "seconds": round(more_s, 1),
                            "ratio_to_full": round(more_s / full_s, 4),
                            "stages": {s["stage"]: s["seconds"] for s in incremental["stages"]}},
            "search": search_latency(home)}


def tracked(command: list[str], home: Path) -> dict:
    """Run ``command`` with WORKPHONE_HOME=home; its wall time, stdout, and the peak resident
    memory (MiB) of its process tree per stage (keyed by the last stage line on stderr; "" before
    the first)."""
    env = os.environ | {"WORKPHONE_HOME": str(home)}
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    current, peak = [""], {}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            rss = tree_rss_mib(child.pid)
            peak[current[0]] = max(peak.get(current[0], 0), rss)

    def follow() -> None:
        for line in child.stderr:
            sys.stderr.write(line)
            match = STAGE_LINE.search(line)
            if match:
                current[0] = match["name"]

    threads = [threading.Thread(target=sample), threading.Thread(target=follow)]
    for t in threads:
        t.start()
    stdout = child.stdout.read()
    child.wait()
    done.set()
    for t in threads:
        t.join()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {child.returncode}")
    return {"seconds": round(time.perf_counter() - started, 1), "stdout": stdout,
            "peak": {k: round(v) for k, v in peak.items()}}


def tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and every descendant, from /proc."""
    parents: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += parents.get(p, [])
    return total / 2**20


def hold_back_last_day(home: Path) -> str:
    """Move the raw files of the last full delivery day, and of the few straggling days after
    it, to ``home/held_back`` (same layout), but for exports delivered only then (reference
    snapshots such as employees); return the days held back. A full day is one with at least
    half the calls of the median day: the days after a world's period hold only the late
    uploads, which are no day's work."""
    raw = home / "raw"
    calls = {p.name: sum(1 for f in p.glob("*.jsonl") for _ in f.open("rb"))
             for p in (raw / "devices" / "calls").iterdir() if p.is_dir()}
    median = sorted(calls.values())[len(calls) // 2]
    first = max(day for day, n in calls.items() if n >= median / 2)
    days = sorted(day for day in calls if day >= first)
    for day in days:
        exports = [p for p in raw.glob(f"exports/*/*_{day}.csv")
                   if len(list(p.parent.glob("*.csv"))) > 1]
        for path in [*raw.glob(f"devices/*/{day}"), *exports]:
            target = home / HELD_BACK / path.relative_to(raw)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.rename(target)
    held = days[0] if len(days) == 1 else f"{days[0]}..{days[-1]}"
    (home / HELD_BACK / "DAY").write_text(held)
    return held


def restore_held_back(home: Path) -> str:
    held = home / HELD_BACK
    day = (held / "DAY").read_text()
    for path in sorted(held.rglob("*")):
        if path.is_file() and path.name != "DAY":
            target = home / "raw" / path.relative_to(held)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.rename(target)
    shutil.rmtree(held)
    return day


def volumes(home: Path) -> dict[str, tuple[float, str]]:
    """What each stage processed, counted from its output: (amount, unit)."""
    warehouse = str(home / "warehouse.duckdb")
    with duckdb.connect(warehouse, read_only=True) as con:
        def count(sql: str) -> int:
            try:
                return con.execute(sql).fetchone()[0] or 0
            except duckdb.Error:
                return 0
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_schema = 'marts' and table_type = 'BASE TABLE'"
                             ).fetchall()
        mart_rows = sum(count(f'select count(*) from "{s}"."{t}"') for s, t in tables)
        utterances = count("select count(*) from marts.fct_conversations")
        scored = count("select count(*) from ml.credit_scores") + count(
            "select count(*) from ml.call_time_recommendations")
    lake = home / "lake"
    landed = count_parquet_rows(lake, exclude=("_manifest", "_staging", "quarantine"))
    audio = sum(_wav_seconds(p) for p in (home / "raw" / "devices" / "recordings").rglob("*.wav"))
    return {"ingest": (landed, "rows landed"), "speech": (audio, "s of audio"),
            "conversation": (utterances, "conversations"), "dbt": (mart_rows, "mart rows"),
            "models": (scored, "rows scored"), "search": (utterances, "conversations")}


def count_parquet_rows(lake: Path, exclude: tuple[str, ...]) -> int:
    feeds = [p for p in lake.iterdir() if p.is_dir() and p.name not in exclude]
    with duckdb.connect() as con:
        return sum(con.execute(f"select count(*) from read_parquet('{p}/dt=*/*.parquet')")
                   .fetchone()[0] for p in feeds if any(p.glob("dt=*/*.parquet")))


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def stage_rows(summary: dict, peak: dict, amounts: dict) -> list[dict]:
    rows = []
    for s in summary["stages"]:
        amount, unit = amounts.get(s["stage"], (0, ""))
        rows.append({"stage": s["stage"], "seconds": s["seconds"],
                     "peak_rss_mib": peak.get(s["stage"], 0), "rows": round(amount),
                     "unit": unit, "per_second": round(amount / s["seconds"], 1)
                     if s["seconds"] else None, "status": s["status"]})
    return rows


def search_latency(home: Path) -> dict | None:
    script = HERE / "dashboard.py"
    if not script.exists():
        return None
    subprocess.run([sys.executable, str(script), "--home", str(home)], check=True,
                   stdout=subprocess.DEVNULL)
    return json.loads((RESULTS / "dashboard.json").read_text())


def growth(runs: list[dict]) -> list[dict]:
    """From each scale to the next: per stage, the ratio of time against the ratio of work."""
    out = []
    for small, large in zip(runs, runs[1:], strict=False):
        before = {s["stage"]: s for s in small["stages"]}
        for s in large["stages"]:
            b = before.get(s["stage"])
            if not b or not b["seconds"] or not b["rows"]:
                continue
            time_ratio = s["seconds"] / b["seconds"]
            work_ratio = s["rows"] / b["rows"]
            out.append({"from": small["scale"], "to": large["scale"], "stage": s["stage"],
                        "time_ratio": round(time_ratio, 2), "work_ratio": round(work_ratio, 2),
                        "cost_per_unit_ratio": round(time_ratio / work_ratio, 2)})
    return out


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
    return {"cores": os.cpu_count(), "memory_gib": round(int(meminfo[1]) / 2**20, 1),
            "platform": platform.platform(), "python": platform.python_version()}


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [f"# The pipeline at scale ({m['cores']} cores, {m['memory_gib']} GiB)", ""]
    for run in result["runs"]:
        inc = run["incremental"]
        lines += [f"## {run['scale']}", "",
                  "| stage | seconds | work | per second | peak memory (MiB) |",
                  "|---|---:|---:|---:|---:|"]
        lines += [f"| {s['stage']} | {s['seconds']} | {s['rows']:,} {s.get('unit', 'records')}"
                  f" | {s['per_second']:,} | {s['peak_rss_mib']:,} |" for s in run["stages"]]
        lines += ["", f"Full run {run['full_run_seconds']} s (peak {run['full_run_peak_rss_mib']:,}"
                  f" MiB); one more day ({inc['day']}): {inc['seconds']} s, "
                  f"{inc['ratio_to_full']:.1%} of the full run.", ""]
    if result["growth"]:
        lines += ["## Growth", "", "| from → to | stage | time × | work × | cost per unit × |",
                  "|---|---|---:|---:|---:|"]
        lines += [f"| {g['from']} → {g['to']} | {g['stage']} | {g['time_ratio']} | "
                  f"{g['work_ratio']} | {g['cost_per_unit_ratio']} |" for g in result["growth"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
