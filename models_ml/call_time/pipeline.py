"""Train, evaluate, register, score and publish the call-time model.

    train(history, seed)                  → Trained (model, split, frames, metrics)
    train_and_register(settings, seed)    → registry Artifact under models_dir/call_time/<version>
    recommend(history, model, days)       → the call_time_recommendations frame
    publish(frame, store, warehouse)      → lake/call_time_recommendations/dt=<plan day>/ and
                                            the warehouse table ml.call_time_recommendations
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import polars as pl

from ingestion.lake_store import LakeStore
from models_ml import registry
from models_ml.call_time import evaluate
from models_ml.call_time.data import CASE_COLUMNS, History, label_dials, load_history, open_cases
from models_ml.call_time.features import (
    ALLOWED_HOURS,
    FEATURES,
    build_features,
    dial_slots,
    plan_slots,
)
from models_ml.call_time.model import CallTimeModel, scores
from models_ml.call_time.policy import plan
from models_ml.call_time.split import TimeSplit, time_split
from models_ml.publish import publish_partitions
from workphone.settings import Settings

NAME = "call_time"
DATASET = "call_time_recommendations"
TABLE = "ml.call_time_recommendations"
EVAL_K = (1, 3)
OUTPUT_COLUMNS = [
    "plan_date", "as_of_date", "debtor", "assignment_id", "case_id", "loan_id", "stage",
    "handler_type", "rank", "hour", "window_start", "window_end", "max_dials",
    "stop_after_answered", "p_answer", "p_promise_given_answer", "p_promise", "p_reached",
    "expected_contacts", "expected_promises", "model_version",
]


@dataclass
class Trained:
    model: CallTimeModel
    split: TimeSplit
    frame: pl.DataFrame          # labelled dials with features and split
    metrics: dict
    fingerprint: str


def training_frame(history: History) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(labelled dials, their feature rows inside the allowed hours)."""
    dials = label_dials(history)
    slots = dial_slots(dials).filter(pl.col("hour").is_in(list(ALLOWED_HOURS)))
    return dials, build_features(slots, dials, history.repayments, history.promises)


def train(history: History, seed: int = 0, valid_frac: float = 0.2, test_frac: float = 0.2,
          params: dict | None = None, evaluate_schedules: bool = True) -> Trained:
    dials, frame = training_frame(history)
    split = time_split(frame["day"], valid_frac, test_frac)
    frame = split.assign(frame)
    parts = {s: frame.filter(pl.col("split") == s) for s in ("train", "valid", "test")}
    model = CallTimeModel.fit(parts["train"], parts["valid"], seed=seed, params=params)
    test = model.predict(parts["test"])
    answered = test.filter(pl.col("answered"))
    metrics = {
        "split": split.as_dict() | {f"{s}_rows": len(p) for s, p in parts.items()},
        "answer_model": scores(test["answered"].to_numpy(), test["p_answer"].to_numpy()),
        "promise_model_per_dial": scores(test["promise"].to_numpy(),
                                         test["p_promise"].to_numpy()),
        "promise_model_given_answer": scores(answered["promise"].to_numpy(),
                                             answered["p_promise_given_answer"].to_numpy()),
        "best_iterations": {"answer": model.answer.best_iteration,
                            "promise": model.promise.best_iteration},
    }
    if evaluate_schedules:
        metrics["schedules"] = evaluate_on_test(history, model, dials, parts["train"],
                                                parts["test"], seed)
    keys = ["call_id", "day", "answered", "promise", "split", *FEATURES]
    fingerprint = registry.fingerprint_frame(parts["train"].select(keys).sort("call_id"))
    return Trained(model, split, frame, metrics, fingerprint)


def debtor_day_slots(test: pl.DataFrame) -> pl.DataFrame:
    """Every allowed hour of each debtor-day of ``test``, in the context of its first dial."""
    context = (test.sort("called_at").unique(["debtor", "day"], keep="first")
               .select(*CASE_COLUMNS, "day"))
    hours = pl.DataFrame({"hour": list(ALLOWED_HOURS)}, schema={"hour": pl.Int32})
    return context.join(hours, how="cross").with_columns(
        channel=pl.lit("phone_call"), as_of_day=pl.col("day"))


def evaluate_on_test(history: History, model: CallTimeModel, dials: pl.DataFrame,
                     train_rows: pl.DataFrame, test_rows: pl.DataFrame, seed: int) -> dict:
    """Replay (``evaluate``) of the model's schedule against the naive ones, per k dials."""
    logged = evaluate.replay_dials(test_rows)
    slots = build_features(debtor_day_slots(logged), dials, history.repayments,
                           history.promises)
    scored = model.predict(slots)
    train_logged = evaluate.replay_dials(train_rows)
    out = {}
    for k in EVAL_K:
        schedules = {"model": (evaluate.model_hours(scored, k), ["debtor", "day", "hour"]),
                     "stage_best": (evaluate.stage_best_hours(train_logged, k),
                                    ["stage", "hour"]),
                     "uniform": (None, [])}
        result = evaluate.replay(logged, schedules, seed=seed)
        result["stage_best_hours"] = {
            s: sorted(g["hour"].to_list()) for (s,), g in
            schedules["stage_best"][0].group_by(["stage"], maintain_order=True)}
        result["by_stage"] = {
            stage: _brief(evaluate.replay(logged.filter(pl.col("stage") == stage), schedules,
                                          seed=seed))
            for stage in sorted(logged["stage"].unique())}
        out[f"k={k}"] = result
    out["m2_predicted_answer_by_hour"] = (
        scored.filter(pl.col("stage") == "M2").group_by("hour").agg(pl.col("p_answer").mean())
        .sort("hour").to_dicts())
    return out


def _brief(result: dict) -> dict:
    """A replay result without its per-schedule counts: rates per dial and lifts."""
    return {"dials": result["dials"], "lift": result["lift"],
            "per_dial": {name: {"contact": v["contact_rate_per_dial"],
                                "promise": v["promise_rate_per_dial"]}
                         for name, v in result["schedules"].items()}}


def train_and_register(settings: Settings, seed: int = 0, **kwargs) -> registry.Artifact:
    history = load_history(settings.warehouse_path, settings.lake_store)
    trained = train(history, seed=seed, **kwargs)
    params = {"seed": seed, "lightgbm": trained.model.params, "features": FEATURES,
              "split": trained.split.as_dict(), "as_of": history.as_of.isoformat(),
              "promise_label": "answered and (transcript promise or repayment within 72 h)",
              **kwargs}
    return registry.save(settings.models_dir, NAME, trained.model.files(), params,
                         trained.metrics, trained.fingerprint)


def load_model(models_dir: Path, version: str | None = None
               ) -> tuple[CallTimeModel, registry.Artifact]:
    artifact = registry.load(models_dir, NAME, version)
    return CallTimeModel.from_files(artifact.path), artifact


def recommend(history: History, model: CallTimeModel, days: int = 7,
              dials_per_day: int = 6, model_version: str = "") -> pl.DataFrame:
    """Ranked call windows for each open case for ``days`` days from the as-of day."""
    cases = open_cases(history)
    plan_days = [history.as_of + timedelta(days=i) for i in range(days)]
    # A case is planned only on days before its stage ends.
    slots = plan_slots(cases.select(*CASE_COLUMNS, "stage_end"), plan_days, history.as_of)
    slots = slots.filter(pl.col("stage_end").is_null()
                         | (pl.col("day").cast(pl.Datetime("us")) < pl.col("stage_end")))
    dials = label_dials(history)
    scored = model.predict(build_features(slots, dials, history.repayments, history.promises))
    windows = plan(scored, dials_per_day=dials_per_day)
    return (windows.with_columns(plan_date=pl.col("day"), as_of_date=pl.lit(history.as_of),
                                 model_version=pl.lit(model_version))
            .select(OUTPUT_COLUMNS).sort("plan_date", "debtor", "rank"))


def publish(frame: pl.DataFrame, store: LakeStore, warehouse_path: Path) -> int:
    """Write the plan days of ``frame`` as ``dt=`` partitions of the lake dataset (replacing
    those days, keeping others) and rebuild ``ml.call_time_recommendations`` from it."""
    return publish_partitions(frame, "plan_date", DATASET, store, warehouse_path, TABLE,
                              order_by="plan_date, debtor, rank")


def score_and_publish(settings: Settings, days: int = 7, version: str | None = None) -> dict:
    """Load the latest (or given) model, plan the open cases, publish; a summary."""
    model, artifact = load_model(settings.models_dir, version)
    history = load_history(settings.warehouse_path, settings.lake_store)
    frame = recommend(history, model, days=days, model_version=artifact.version)
    rows = publish(frame, settings.lake_store, settings.warehouse_path)
    return {"rows": len(frame), "table_rows": rows, "model_version": artifact.version,
            "cases": frame["assignment_id"].n_unique() if len(frame) else 0,
            "plan_days": sorted({d.isoformat() for d in frame["plan_date"].unique()}),
            "as_of": history.as_of.isoformat()}

