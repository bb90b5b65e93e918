"""Two LightGBM models: will the debtor answer a dial in this slot, and, once answered, will the
call end in a promise to pay.

The promise probability of a dial is their product, ``p_promise = p_answer *
p_promise_given_answer``: the promise model learns from answered calls only (an unanswered
dial never promises), so its few positives are spent on what makes a conversation end in a
promise, not on re-learning when debtors pick up.

Both models also see the population's answer profile, ``prior_rate``: the training period's
answer rate of the slot's stage, channel and hour, shrunk towards the stage and channel's rate
by ``PRIOR_STRENGTH`` pseudo-dials. That is the "best hour of the stage" the collectors use;
the trees learn what is particular to the debtor on top of it (without it, thin hours such as
21h are under-fitted).

Both are early-stopped on the validation part and then Platt-calibrated on it (a scikit-learn
logistic regression on the booster's log-odds); Platt keeps the order of the slots, so
calibration never reshuffles a ranking.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from models_ml.call_time.features import CATEGORICAL, FEATURES

DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 50,
    "feature_fraction": 0.9, "bagging_fraction": 0.9, "bagging_freq": 1, "lambda_l2": 1.0,
    "cat_smooth": 10, "max_cat_to_onehot": 8, "verbose": -1,
    "deterministic": True, "force_row_wise": True, "num_threads": 2,
}
NUM_BOOST_ROUND = 600
PRIOR_STRENGTH = 50
PRIOR_KEYS = ["stage", "channel", "hour"]
MODEL_FEATURES = [*FEATURES, "prior_rate"]
PRIOR_SCHEMA = {"stage": pl.String, "channel": pl.String, "hour": pl.Int32,
                "prior_rate": pl.Float64}
EARLY_STOPPING = 40


def matrix(frame: pl.DataFrame) -> np.ndarray:
    """The feature matrix: categoricals as their fixed codes (unknown values → missing)."""
    cols = []
    for name in MODEL_FEATURES:
        if name in CATEGORICAL:
            codes = {v: i for i, v in enumerate(CATEGORICAL[name])}
            cols.append(frame[name].replace_strict(codes, default=None, return_dtype=pl.Float64))
        else:
            cols.append(frame[name].cast(pl.Float64))
    return pl.DataFrame(cols).to_numpy().astype(np.float64)


@dataclass
class Calibration:
    """Platt scaling: p = sigmoid(a * logit(raw) + b)."""

    a: float = 1.0
    b: float = 0.0

    @classmethod
    def fit(cls, raw: np.ndarray, y: np.ndarray, seed: int) -> Calibration:
        if len(np.unique(y)) < 2:
            return cls()
        lr = LogisticRegression(C=1e6, random_state=seed).fit(_logit(raw)[:, None], y)
        return cls(float(lr.coef_[0, 0]), float(lr.intercept_[0]))

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.a * _logit(raw) + self.b)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass
class CallTimeModel:
    answer: lgb.Booster
    promise: lgb.Booster
    answer_calibration: Calibration = field(default_factory=Calibration)
    promise_calibration: Calibration = field(default_factory=Calibration)
    params: dict[str, Any] = field(default_factory=dict)
    prior: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PRIOR_SCHEMA))

    @classmethod
    def fit(cls, train: pl.DataFrame, valid: pl.DataFrame, seed: int = 0,
            params: dict[str, Any] | None = None) -> CallTimeModel:
        """Fit on ``train`` (rows: labelled dials with FEATURES), stop and calibrate on
        ``valid``."""
        p = {**DEFAULT_PARAMS, **(params or {}), "seed": seed}
        prior = answer_prior(train)
        train, valid = with_prior(train, prior), with_prior(valid, prior)
        answer = _boost(train, valid, "answered", p)
        answered_train = train.filter(pl.col("answered"))
        answered_valid = valid.filter(pl.col("answered"))
        promise = _boost(answered_train, answered_valid, "promise", p)
        model = cls(answer, promise, params=p, prior=prior)
        model.answer_calibration = Calibration.fit(
            answer.predict(matrix(valid)), valid["answered"].to_numpy(), seed)
        model.promise_calibration = Calibration.fit(
            promise.predict(matrix(answered_valid)), answered_valid["promise"].to_numpy(), seed)
        return model

    def predict(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with p_answer, p_promise_given_answer and p_promise."""
        x = matrix(with_prior(frame, self.prior))
        p_answer = self.answer_calibration(self.answer.predict(x))
        p_given = self.promise_calibration(self.promise.predict(x))
        return frame.with_columns(p_answer=pl.Series(p_answer),
                                  p_promise_given_answer=pl.Series(p_given),
                                  p_promise=pl.Series(p_answer * p_given))

    def files(self) -> dict[str, str]:
        return {"answer.txt": self.answer.model_to_string(),
                "promise.txt": self.promise.model_to_string(),
                "model.json": json.dumps({
                    "features": MODEL_FEATURES, "categorical": CATEGORICAL,
                    "prior": self.prior.to_dicts(),
                    "answer_calibration": vars(self.answer_calibration),
                    "promise_calibration": vars(self.promise_calibration),
                    "params": self.params}, indent=2)}

    @classmethod
    def from_files(cls, folder) -> CallTimeModel:
        spec = json.loads((folder / "model.json").read_text("utf-8"))
        if spec["features"] != MODEL_FEATURES:
            raise ValueError(f"model at {folder} was trained on other features")
        return cls(lgb.Booster(model_str=(folder / "answer.txt").read_text("utf-8")),
                   lgb.Booster(model_str=(folder / "promise.txt").read_text("utf-8")),
                   Calibration(**spec["answer_calibration"]),
                   Calibration(**spec["promise_calibration"]), spec["params"],
                   pl.DataFrame(spec["prior"], schema=PRIOR_SCHEMA))


def answer_prior(train: pl.DataFrame, strength: int = PRIOR_STRENGTH) -> pl.DataFrame:
    """Answer rate per stage, channel and hour of ``train``, shrunk towards the stage and
    channel's rate by ``strength`` pseudo-dials (a thin hour is not trusted on its own)."""
    answered = pl.col("answered").cast(pl.Float64)
    cells = train.group_by(PRIOR_KEYS).agg(n=pl.len(), a=answered.sum())
    base = train.group_by("stage", "channel").agg(base=answered.mean())
    return (cells.join(base, on=["stage", "channel"])
            .select(pl.col("stage"), pl.col("channel"), pl.col("hour").cast(pl.Int32),
                    prior_rate=(pl.col("a") + strength * pl.col("base"))
                    / (pl.col("n") + strength))
            .sort(PRIOR_KEYS))


def with_prior(frame: pl.DataFrame, prior: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``prior_rate`` (missing where the training period had no such slot)."""
    return frame.drop("prior_rate", strict=False).join(
        prior, on=PRIOR_KEYS, how="left", maintain_order="left")


def _boost(train: pl.DataFrame, valid: pl.DataFrame, label: str,
           params: dict[str, Any]) -> lgb.Booster:
    categorical = [MODEL_FEATURES.index(c) for c in CATEGORICAL]
    dtrain = lgb.Dataset(matrix(train), train[label].cast(pl.Int32).to_numpy(),
                         feature_name=MODEL_FEATURES, categorical_feature=categorical,
                         free_raw_data=False)
    dvalid = lgb.Dataset(matrix(valid), valid[label].cast(pl.Int32).to_numpy(),
                         reference=dtrain)
    return lgb.train(params, dtrain, num_boost_round=NUM_BOOST_ROUND, valid_sets=[dvalid],
                     callbacks=[lgb.early_stopping(EARLY_STOPPING, verbose=False)])


def scores(y: np.ndarray, p: np.ndarray) -> dict[str, float | int]:
    """AUC, log loss, Brier score, base rate and mean prediction of one binary target."""
    y = np.asarray(y).astype(int)
    out: dict[str, float | int] = {"n": int(len(y)), "positives": int(y.sum()),
                                   "base_rate": float(y.mean()) if len(y) else 0.0,
                                   "mean_prediction": float(np.mean(p)) if len(p) else 0.0}
    if len(np.unique(y)) == 2:
        out |= {"auc": float(roc_auc_score(y, p)),
                "logloss": float(log_loss(y, np.clip(p, 1e-7, 1 - 1e-7))),
                "brier": float(brier_score_loss(y, p))}
    return out
