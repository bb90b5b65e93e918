"""Credit model: discrimination on the held-out (time-based) test period against a bureau-only
baseline trained in the same run, training and scoring time, scoring throughput, and (against
the simulator's ground truth, never used by the product) how much of the planted behaviour each
indicator carries.

    .venv/bin/python benchmarks/models_credit.py [--world-dir DIR] [--seed N]

--world-dir is a WORKPHONE_HOME where `make demo` ran and the credit marts were built
(default ./data: the report-2025 world at `small`). Targets: test AUC gain over bureau-only
>= 0.03; scoring (points + three reason codes) >= 100,000 customers/s.
Writes benchmarks/results/models_credit.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import polars as pl

from models_ml.credit.features import load_training_frame
from models_ml.credit.indicators import INDICATORS
from models_ml.credit.pipeline import train

RESULTS = Path(__file__).parent / "results"
THROUGHPUT_ROWS = 1_000_000


def planted_correlations(world_dir: Path, frame: pl.DataFrame) -> dict:
    """Spearman correlation of each indicator with its planted trait (ground truth)."""
    truth_path = world_dir / "ground_truth" / "loans.parquet"
    if not truth_path.exists():
        return {}
    truth = pl.read_parquet(truth_path).filter(~pl.col("back_book")).select(
        "loan_id", "defaulted", *[f"trait_{v.indicator}" for v in INDICATORS])
    joined = frame.join(truth, on="loan_id", how="inner")
    out = {}
    for v in INDICATORS:
        sub = joined.select(v.column, f"trait_{v.indicator}").drop_nulls()
        rho = None
        if sub.height > 10:
            rho = sub.select(pl.corr(v.column, f"trait_{v.indicator}", method="spearman")).item()
        out[v.indicator] = {"column": v.column, "coverage": sub.height / max(joined.height, 1),
                            "spearman_with_trait": rho,
                            "expected_sign": -v.direction if v.indicator not in (
                                "hostility", "complaint_propensity",
                                "private_channel_requests") else v.direction}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--world-dir", type=Path, default=Path("data"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warehouse = args.world_dir / "warehouse.duckdb"
    t0 = time.perf_counter()
    frame = load_training_frame(warehouse)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    trained = train(frame, seed=args.seed)
    train_s = time.perf_counter() - t0
    report = trained.report

    # Scoring: points and three reason codes of every application, then a million rows.
    model = trained.model
    t0 = time.perf_counter()
    model.score(frame)
    score_s = time.perf_counter() - t0
    big = frame.sample(THROUGHPUT_ROWS, with_replacement=True, seed=args.seed)
    t0 = time.perf_counter()
    scored = model.score(big)
    big_s = time.perf_counter() - t0
    disc = report["discrimination"]
    result = {
        "world_dir": str(args.world_dir),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or
                    platform.machine()},
        "label": report["label"],
        "split": report["split"],
        "test_full_model": disc["full_model"],
        "test_bureau_only": disc["bureau_only"],
        "auc_gain": report["auc_gain_over_bureau_only"],
        "auc_gain_target": 0.03,
        "auc_gain_met": (report["auc_gain_over_bureau_only"] or 0) >= 0.03,
        "claim": report["claim"],
        "calibration": report["calibration"],
        "psi_score": {k: v["score"] for k, v in report["psi"].items()},
        "seconds": {"load": load_s, "train_both_models": train_s,
                    "score_all_applications": score_s},
        "scoring_throughput_customers_per_s": THROUGHPUT_ROWS / big_s,
        "throughput_target": 100_000,
        "throughput_met": THROUGHPUT_ROWS / big_s >= 100_000,
        "score_mean": float(scored["score"].mean()),
        "indicators_vs_planted_traits": planted_correlations(args.world_dir, frame),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "models_credit.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("test_full_model", "test_bureau_only", "auc_gain",
                                             "scoring_throughput_customers_per_s", "seconds")},
                     indent=2, default=str))


if __name__ == "__main__":
    main()
