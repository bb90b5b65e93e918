"""Both models in one run on one world: the credit score against its bureau-only baseline and
the best-time-to-call schedule against the naive ones, with their targets.

    .venv/bin/python benchmarks/models.py [--world-dir DIR] [--seed N]

Runs ``models_credit.py`` and ``models_call_time.py`` (each writes its own detailed JSON under
benchmarks/results/) on the same ``--world-dir`` (default ./data, where `make demo` ran), then
writes the headline figures to benchmarks/results/models.json and models.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-dir", type=Path, default=Path("data"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for script in ("models_credit.py", "models_call_time.py"):
        subprocess.run([sys.executable, str(HERE / script), "--world-dir", str(args.world_dir),
                        "--seed", str(args.seed)], check=True, stdout=subprocess.DEVNULL)
    credit = json.loads((RESULTS / "models_credit.json").read_text("utf-8"))
    call_time = json.loads((RESULTS / "models_call_time.json").read_text("utf-8"))
    rows = headline(credit, call_time)
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
              "world_dir": str(args.world_dir), "seed": args.seed, "figures": rows}
    (RESULTS / "models.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "models.md").write_text(markdown(result))
    print(markdown(result))


def headline(credit: dict, call_time: dict) -> list[dict]:
    """One row per figure: what, value, target (None where the issue names none)."""
    full, bureau = credit["test_full_model"], credit["test_bureau_only"]
    rows = [
        ("credit: test AUC (full model)", full["auc"], None),
        ("credit: test AUC (bureau only)", bureau["auc"], None),
        ("credit: AUC gain over bureau only", credit["auc_gain"], ">= 0.03"),
        ("credit: test KS (full / bureau only)", f"{full['ks']:.3f} / {bureau['ks']:.3f}", None),
        ("credit: training both models, s", credit["seconds"]["train_both_models"], None),
        ("credit: scoring, customers/s", credit["scoring_throughput_customers_per_s"],
         ">= 100000"),
        ("call time: answer model test AUC", call_time["test_metrics"]["answer_model"]["auc"],
         None),
        ("call time: promise model test AUC",
         call_time["test_metrics"]["promise_model_per_dial"]["auc"], None),
    ]
    for k, replay in call_time["replay"].items():
        for versus in ("model_vs_uniform", "model_vs_stage_best"):
            for what in ("contacts", "promises"):
                lift = replay["lift"][versus][what]
                band = lift.get("interval_90")
                value = "n/a" if lift["lift"] is None else f"{lift['lift']:+.1%}" + (
                    f" (90% {band[0]:+.1%}..{band[1]:+.1%})" if band else "")
                rows.append((f"call time, {k} dials a debtor-day: {what} lift, "
                             f"{versus.replace('model_vs_', 'vs ')}", value, None))
    seconds = call_time["seconds"]
    rows += [("call time: training + evaluation, s", seconds["train_evaluate_register"], None),
             ("call time: scoring + publishing, s", seconds["score_publish"], None)]
    return [{"figure": f, "value": _rounded(v), "target": t} for f, v, t in rows]


def _rounded(value):
    if not isinstance(value, float):
        return value
    return round(value) if abs(value) >= 1000 else round(value, 4)


def markdown(result: dict) -> str:
    lines = [f"# Models ({result['machine']}, world {result['world_dir']}, "
             f"seed {result['seed']})", "", "| figure | value | target |", "|---|---|---|"]
    lines += [f"| {r['figure']} | {r['value']} | {r['target'] or ''} |"
              for r in result["figures"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
