"""The default model: LightGBM with monotone constraints where the direction of risk is known,
scored in points (``scorecard``) with reason codes from its contributions (``pred_contrib``).

The boosted trees are stumps (depth 1: one variable each), so the model is additive in the
log-odds, a scorecard: each variable's contribution depends on its own value only. Its
``pred_contrib`` (TreeSHAP) is then a step function of that value, tabulated once per version
(``ScoreTable``: the contribution on every interval between the variable's split thresholds
and for a missing value, read from ``pred_contrib`` itself), and scoring is a table look-up
per variable: the same points and reasons as ``pred_contrib``, at millions of rows a second.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd
import polars as pl

from models_ml.credit.indicators import BY_COLUMN, Variable, columns, monotone_constraints
from models_ml.credit.scorecard import Scaling

DEFAULT_PARAMS = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 2,
    "max_depth": 1,
    "min_data_in_leaf": 30,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 5.0,
    "monotone_constraints_method": "advanced",
    "verbosity": -1,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
}
REASONS = 3


def _matrix(frame: pl.DataFrame, features: list[str]) -> pd.DataFrame:
    return frame.select([pl.col(c).cast(pl.Float64) for c in features]).to_pandas()


@dataclass
class ScoreTable:
    """Per variable: split thresholds (ascending), the contribution to the log-odds of bad on
    each interval (x <= t0, t0 < x <= t1, ..., x > t_last) and for a missing value; the bias."""
    thresholds: list[np.ndarray]
    values: list[np.ndarray]
    missing: np.ndarray
    bias: float

    @classmethod
    def from_booster(cls, booster: lgb.Booster, features: list[str],
                     num_iteration: int | None) -> ScoreTable:
        dump = booster.dump_model(num_iteration=num_iteration or -1)
        cuts: dict[int, set[float]] = {j: set() for j in range(len(features))}

        def walk(node):
            if "split_feature" in node:
                cuts[node["split_feature"]].add(float(node["threshold"]))
                walk(node["left_child"])
                walk(node["right_child"])

        for tree in dump["tree_info"]:
            walk(tree["tree_structure"])
        thresholds, values, missing = [], [], np.zeros(len(features))
        bias = 0.0
        for j in range(len(features)):
            t = np.array(sorted(cuts[j]))
            # one point in each interval (x = t_i lies in (t_{i-1}, t_i]), then a missing value
            points = np.r_[t, (t[-1] + 1.0) if len(t) else 0.0, np.nan]
            grid = np.full((len(points), len(features)), np.nan)
            grid[:, j] = points
            contrib = booster.predict(grid, pred_contrib=True, num_iteration=num_iteration)
            thresholds.append(t)
            values.append(contrib[:-1, j])
            missing[j] = contrib[-1, j]
            bias = float(contrib[0, -1])
        return cls(thresholds, values, missing, bias)

    def contributions(self, matrix: np.ndarray) -> np.ndarray:
        """Contributions per variable (columns) plus the bias (last column), like
        ``pred_contrib``."""
        out = np.empty((matrix.shape[0], len(self.values) + 1))
        for j, (t, v) in enumerate(zip(self.thresholds, self.values, strict=True)):
            x = matrix[:, j]
            idx = np.searchsorted(t, x, side="left")
            out[:, j] = np.where(np.isnan(x), self.missing[j], v[np.minimum(idx, len(v) - 1)])
        out[:, -1] = self.bias
        return out


@dataclass
class CreditModel:
    booster: lgb.Booster
    features: list[str]
    scaling: Scaling = field(default_factory=Scaling)
    table: ScoreTable | None = None

    def __post_init__(self) -> None:
        if self.table is None:
            self.table = ScoreTable.from_booster(self.booster, self.features,
                                                 self.booster.best_iteration or None)

    @classmethod
    def fit(cls, train: pl.DataFrame, valid: pl.DataFrame | None, variables: tuple[Variable, ...],
            seed: int = 0, params: dict | None = None, rounds: int = 600,
            label: str = "is_bad") -> CreditModel:
        features = columns(variables)
        merged = DEFAULT_PARAMS | {"seed": seed, "monotone_constraints":
                                   monotone_constraints(variables)} | (params or {})
        dtrain = lgb.Dataset(_matrix(train, features), train[label].cast(pl.Int8).to_numpy(),
                             free_raw_data=False)
        sets, callbacks = [dtrain], []
        if valid is not None and valid.height:
            sets.append(lgb.Dataset(_matrix(valid, features),
                                    valid[label].cast(pl.Int8).to_numpy(), reference=dtrain))
            callbacks.append(lgb.early_stopping(60, verbose=False))
        booster = lgb.train(merged, dtrain, num_boost_round=rounds, valid_sets=sets[1:] or None,
                            callbacks=callbacks)
        return cls(booster, features)

    def logit(self, frame: pl.DataFrame) -> np.ndarray:
        return self.booster.predict(_matrix(frame, self.features), raw_score=True,
                                    num_iteration=self.booster.best_iteration or None)

    def matrix(self, frame: pl.DataFrame) -> np.ndarray:
        return frame.select([pl.col(c).cast(pl.Float64).fill_null(np.nan)
                             for c in self.features]).to_numpy()

    def p_bad(self, frame: pl.DataFrame) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.contributions(frame).sum(axis=1)))

    def contributions(self, frame: pl.DataFrame) -> np.ndarray:
        """Per-feature contributions to the log-odds of bad (last column: the bias), from the
        score table (equal to ``contributions_exact`` for this additive model)."""
        return self.table.contributions(self.matrix(frame))

    def contributions_exact(self, frame: pl.DataFrame) -> np.ndarray:
        """LightGBM's ``pred_contrib`` (TreeSHAP)."""
        return self.booster.predict(_matrix(frame, self.features), pred_contrib=True,
                                    num_iteration=self.booster.best_iteration or None)

    def score(self, frame: pl.DataFrame, reasons: int = REASONS) -> pl.DataFrame:
        """p_bad, points and the top ``reasons`` reason codes (features that lower the score
        most against the portfolio's average, in points, Chinese and English)."""
        contrib = self.contributions(frame)
        logit = contrib.sum(axis=1)
        points = self.scaling.points_from_logit(logit)
        return pl.DataFrame({
            "p_bad": 1.0 / (1.0 + np.exp(-logit)),
            "score": np.round(points, 1),
        }).with_columns(reason_codes(contrib[:, :-1], self.features, self.scaling, reasons))

    def files(self) -> dict[str, str]:
        return {"model.txt": self.booster.model_to_string(),
                "model.json": json.dumps({"features": self.features,
                                          "scaling": self.scaling.as_dict()}, indent=2)}

    @classmethod
    def from_files(cls, path) -> CreditModel:
        meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
        scaling = {k: meta["scaling"][k] for k in ("base_points", "base_odds", "pdo")}
        return cls(lgb.Booster(model_file=str(path / "model.txt")), meta["features"],
                   Scaling(**scaling))


def reason_codes(contrib: np.ndarray, features: list[str], scaling: Scaling,
                 reasons: int = REASONS) -> list[pl.Series]:
    """The ``reasons`` features that cost each row most points (positive log-odds
    contribution), as columns reason_<k>_feature / _points / _zh / _en; NULL when fewer
    features push the score down."""
    points = scaling.contribution_points(contrib)          # negative = costs points
    order = np.argsort(points, axis=1, kind="stable")
    out: list[pl.Series] = []
    names = np.array(features)
    zh = np.array([BY_COLUMN[f].reason_zh if f in BY_COLUMN else f for f in features])
    en = np.array([BY_COLUMN[f].reason_en if f in BY_COLUMN else f for f in features])
    rows = np.arange(len(points))
    texts = {"feature": pl.Series(names), "zh": pl.Series(zh), "en": pl.Series(en)}
    for k in range(min(reasons, len(features))):
        idx = order[:, k]
        cost = points[rows, idx]
        keep = pl.Series(cost < 0)
        at = pl.Series(idx.astype(np.uint32))
        columns = {f"reason_{k + 1}_{n}": t.gather(at) for n, t in texts.items()}
        columns[f"reason_{k + 1}_points"] = pl.Series(np.round(cost, 1))
        for name in (f"reason_{k + 1}_{n}" for n in ("feature", "points", "zh", "en")):
            out.append(pl.select(pl.when(keep).then(columns[name])).to_series().alias(name))
    return out
