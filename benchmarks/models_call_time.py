"""Best time to call: training and scoring time, AUC / log loss of both models on the test
period, and the lift of the model's schedule over the naive ones in right-party contacts and
promises at equal dials (replay on the test period, see ``models_ml.call_time.evaluate``).

    .venv/bin/python benchmarks/models_call_time.py [--world-dir DIR] [--seed N]

--world-dir is a WORKPHONE_HOME where `make demo` ran (default ./data). Its warehouse is copied
to a temporary home (the original is never written); the model is registered and the
recommendations published there. The ground truth beside the world is read for two checks only:
the M2 answer profile the world planted against the model's, and the promise proxy label
against the planted promises. Writes benchmarks/results/models_call_time.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # models_ml from the checkout

from models_ml import registry  # noqa: E402
from models_ml.call_time.data import label_dials, load_history  # noqa: E402
from models_ml.call_time.pipeline import NAME, publish, recommend, train  # noqa: E402
from workphone.settings import Settings  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-dir", type=Path, default=Path("data"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plan-days", type=int, default=7)
    args = parser.parse_args()
    world = args.world_dir.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp))
        shutil.copy(world / "warehouse.duckdb", settings.warehouse_path)
        started = time.perf_counter()
        history = load_history(settings.warehouse_path, settings.lake_store)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        trained = train(history, seed=args.seed)
        artifact = registry.save(settings.models_dir, NAME, trained.model.files(),
                                 {"seed": args.seed}, trained.metrics, trained.fingerprint)
        train_s = time.perf_counter() - started
        started = time.perf_counter()
        plan = recommend(history, trained.model, days=args.plan_days,
                         model_version=artifact.version)
        rows = publish(plan, settings.lake_store, settings.warehouse_path)
        score_s = time.perf_counter() - started
    m = trained.metrics
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "world": str(world), "seed": args.seed,
        "dials": len(history.contacts), "split": m["split"],
        "seconds": {"load": round(load_s, 1), "train_evaluate_register": round(train_s, 1),
                    "score_publish": round(score_s, 1)},
        "recommendations": {"rows": rows, "cases": plan["assignment_id"].n_unique(),
                            "plan_days": args.plan_days,
                            "windows_per_debtor_day": round(
                                plan.group_by("debtor", "plan_date").len()["len"].mean(), 2)},
        "test_metrics": {k: _round(m[k]) for k in ("answer_model", "promise_model_per_dial",
                                                    "promise_model_given_answer")},
        "replay": {k: _replay_summary(v) for k, v in m["schedules"].items() if k.startswith("k=")},
    }
    truth = world / "ground_truth"
    if truth.exists():
        result["m2_profile"] = _m2_profile(truth, m["schedules"]["m2_predicted_answer_by_hour"])
        result["promise_label_vs_truth"] = _label_agreement(truth, history)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "models_call_time.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def _round(d: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in d.items()}


def _replay_summary(r: dict) -> dict:
    def lifts(block: dict) -> dict:
        return {name: {what: {"lift": round(v["lift"], 3) if np.isfinite(v["lift"]) else None,
                              **({"interval_90": [round(x, 3) for x in v["interval_90"]]}
                                 if v.get("interval_90") else {})}
                       for what, v in by.items()} for name, by in block.items()}

    return {
        "dials": r["dials"], "debtor_days": r["debtor_days"],
        "stage_best_hours": r["stage_best_hours"],
        "at_equal_dials": {name: {"contacts": round(s["contacts_at_equal_dials"]),
                                  "promises": round(s["promises_at_equal_dials"])}
                           for name, s in r["schedules"].items()},
        "lift": lifts(r["lift"]),
        "by_stage": {stage: {"dials": b["dials"], "lift": lifts(b["lift"]),
                             "per_dial": {n: {k: round(x, 4) for k, x in v.items()}
                                          for n, v in b["per_dial"].items()}}
                     for stage, b in r["by_stage"].items()},
    }


def _m2_profile(truth: Path, predicted: list[dict]) -> dict:
    planted = pl.read_parquet(truth / "m2_answer_profile.parquet").sort("hour")
    world = json.loads((truth / "world.json").read_text("utf-8"))
    model = pl.DataFrame(predicted).join(planted, on="hour").sort("hour")
    top = model.sort("p_answer", descending=True)["hour"].head(2).sort().to_list()
    return {"planted_peak_hours": world["collection"]["m2_peak_answer_hours"],
            "model_top_hours": top,
            "correlation": round(float(np.corrcoef(model["p_answer"],
                                                   model["answer_rate"])[0, 1]), 3),
            "by_hour": {int(h): {"model": round(p, 3), "planted": round(t, 3)}
                        for h, p, t in model.select("hour", "p_answer", "answer_rate").rows()}}


def _label_agreement(truth: Path, history) -> dict:
    """How the observable promise label compares with the promises the world planted."""
    planted = pl.read_parquet(truth / "promises.parquet").select("call_id", "kept")
    dials = label_dials(history).join(planted, on="call_id", how="left")
    proxy = dials["promise"]
    real = dials["kept"].is_not_null()
    kept = dials["kept"].fill_null(False)
    return {"proxy_positives": int(proxy.sum()), "planted_promises_seen": int(real.sum()),
            "precision": round(float((proxy & real).sum() / max(proxy.sum(), 1)), 3),
            "recall_all_promises": round(float((proxy & real).sum() / max(real.sum(), 1)), 3),
            "recall_kept_promises": round(float((proxy & kept).sum() / max(kept.sum(), 1)), 3)}


if __name__ == "__main__":
    main()
