"""Train, validate, register, score and publish the credit model.

    load_training_frame(warehouse)        applications + application-snapshot features + label
    train(frame, seed)                    -> Trained (full and bureau-only models, split, report)
    train_and_register(settings, seed)    -> registry Artifact under models_dir/credit/<version>
                                             (model.txt, model.json, validation.json/.html)
    score_and_publish(settings)           -> lake/credit_scores/dt=<as of>/ and ml.credit_scores

The split is by time (disbursement date): the earliest 60% of labelled applications train, the
next 15% validate (early stopping), the latest 25% test. The label is ``is_bad`` of
``marts.fct_credit_applications`` (entered collections within 100 days of disbursement).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ingestion.lake_store import LakeStore
from models_ml import registry
from models_ml.credit import validation
from models_ml.credit.features import load_training_frame
from models_ml.credit.indicators import BUREAU_ONLY, FULL, INDICATORS, columns
from models_ml.credit.model import CreditModel
from models_ml.publish import publish_partitions
from workphone.settings import Settings

NAME = "credit"
DATASET = "credit_scores"
TABLE = "ml.credit_scores"
LABEL = ("bad = the loan entered collections (a collection case was opened: an instalment "
         "missed) within 100 days of disbursement (its first three instalments); labelled once "
         "the window has elapsed by the last day the data covers")
SPLIT = (0.60, 0.15)   # train, valid shares of labelled applications by disbursement time
KEYS = ["loan_id", "customer_id", "application_date", "disbursed_at", "is_bad", "quarter"]


@dataclass
class Trained:
    model: CreditModel
    baseline: CreditModel
    frame: pl.DataFrame       # labelled applications with split, scores
    report: dict
    fingerprint: str
    params: dict


def time_split(frame: pl.DataFrame, shares=SPLIT) -> pl.DataFrame:
    """Labelled rows sorted by disbursement, tagged train / valid / test."""
    labelled = frame.filter(pl.col("is_bad").is_not_null()).sort("disbursed_at", "loan_id")
    n = labelled.height
    a, b = int(n * shares[0]), int(n * (shares[0] + shares[1]))
    split = np.array(["train"] * a + ["valid"] * (b - a) + ["test"] * (n - b))
    return labelled.with_columns(split=pl.Series(split))


def communication_points(model: CreditModel, frame: pl.DataFrame) -> np.ndarray:
    """Points the ten indicators add to (or take from) each row's score."""
    contrib = model.contributions(frame)[:, :-1]
    idx = [model.features.index(c) for c in columns(INDICATORS) if c in model.features]
    return model.scaling.contribution_points(contrib[:, idx].sum(axis=1))


def train(frame: pl.DataFrame, seed: int = 0, params: dict | None = None) -> Trained:
    data = time_split(frame)
    parts = {s: data.filter(pl.col("split") == s) for s in ("train", "valid", "test")}
    model = CreditModel.fit(parts["train"], parts["valid"], FULL, seed=seed, params=params)
    baseline = CreditModel.fit(parts["train"], parts["valid"], BUREAU_ONLY, seed=seed,
                               params=params)
    scored = data.with_columns(model.score(data, reasons=0)).with_columns(
        p_bad_bureau_only=pl.Series(baseline.p_bad(data)),
        communication_points=pl.Series(communication_points(model, data)))
    test = scored.filter(pl.col("split") == "test")
    y = test["is_bad"].cast(pl.Int8).to_numpy()
    disc = {"full_model": validation.discrimination(y, test["p_bad"].to_numpy()),
            "bureau_only": validation.discrimination(y, test["p_bad_bureau_only"].to_numpy())}
    gain = None
    if disc["full_model"]["auc"] is not None and disc["bureau_only"]["auc"] is not None:
        gain = disc["full_model"]["auc"] - disc["bureau_only"]["auc"]
    split_info = {s: {"rows": p.height, "bads": int(p["is_bad"].sum()),
                      "from": str(p["disbursed_at"].min()), "to": str(p["disbursed_at"].max())}
                  for s, p in parts.items()}
    report = {
        "name": NAME,
        "label": LABEL,
        "split": split_info,
        "discrimination": disc,
        "auc_gain_over_bureau_only": gain,
        "calibration": validation.calibration(test),
        "psi": validation.stability(scored, columns(FULL)),
        "claim": validation.report_claim(test),
        "scaling": model.scaling.as_dict(),
        "features": columns(FULL),
        "monotone_constraints": {v.column: v.direction for v in FULL},
        "best_iteration": {"full_model": model.booster.best_iteration,
                           "bureau_only": baseline.booster.best_iteration},
    }
    fingerprint = registry.fingerprint_frame(
        parts["train"].select(*KEYS, *columns(FULL)).sort("loan_id"))
    used = {"seed": seed, "lightgbm": model.booster.params if hasattr(model.booster, "params")
            else {}, "features": columns(FULL), "split": SPLIT, "label": LABEL,
            "scaling": model.scaling.as_dict(), **(params or {})}
    return Trained(model, baseline, scored, report, fingerprint, used)


def train_and_register(settings: Settings, seed: int = 0, **kwargs) -> registry.Artifact:
    trained = train(load_training_frame(settings.warehouse_path), seed=seed, **kwargs)
    report = trained.report
    files = trained.model.files() | {
        "baseline_model.txt": trained.baseline.booster.model_to_string(),
        "validation.json": json.dumps(report, indent=2, ensure_ascii=False, default=str),
        "validation.html": validation.to_html(report),
    }
    metrics = {k: report[k] for k in ("discrimination", "auc_gain_over_bureau_only", "claim")}
    artifact = registry.save(settings.models_dir, NAME, files, trained.params, metrics,
                             trained.fingerprint)
    # The report names its version once the registry has given one.
    for name in ("validation.json", "validation.html"):
        path = artifact.path / name
        if name.endswith(".json"):
            path.write_text(json.dumps(report | {"version": artifact.version}, indent=2,
                                       ensure_ascii=False, default=str), encoding="utf-8")
        else:
            path.write_text(validation.to_html(report | {"version": artifact.version}),
                            encoding="utf-8")
    return artifact


def load_model(models_dir: Path, version: str | None = None
               ) -> tuple[CreditModel, registry.Artifact]:
    artifact = registry.load(models_dir, NAME, version)
    return CreditModel.from_files(artifact.path), artifact


def score_frame(model: CreditModel, frame: pl.DataFrame, model_version: str) -> pl.DataFrame:
    """Scores and reason codes of every application (one row per loan)."""
    return (frame.select("loan_id", "customer_id", "application_date", "disbursed_at",
                         "bureau_score")
            .with_columns(model.score(frame))
            .with_columns(model_version=pl.lit(model_version),
                          scored_as_of=pl.col("application_date").max()))


def publish(frame: pl.DataFrame, store: LakeStore, warehouse_path: Path) -> int:
    """Write ``frame`` as the ``dt=<scored_as_of>`` partition of lake/credit_scores (replacing
    it) and rebuild ``ml.credit_scores`` from the lake."""
    return publish_partitions(frame, "scored_as_of", DATASET, store, warehouse_path, TABLE,
                              order_by="scored_as_of, loan_id")


def score_and_publish(settings: Settings, version: str | None = None) -> dict:
    model, artifact = load_model(settings.models_dir, version)
    frame = load_training_frame(settings.warehouse_path)
    scored = score_frame(model, frame, artifact.version)
    rows = publish(scored, settings.lake_store, settings.warehouse_path)
    return {"rows": scored.height, "table_rows": rows, "model_version": artifact.version,
            "scored_as_of": str(scored["scored_as_of"].max()),
            "mean_score": float(scored["score"].mean())}
