"""The credit model: monotone constraints hold, score scaling (points at base odds, PDO),
reason codes; on small synthetic frames (seconds)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from models_ml.credit.indicators import FULL, INDICATORS, columns
from models_ml.credit.model import CreditModel, reason_codes
from models_ml.credit.pipeline import communication_points, time_split
from models_ml.credit.scorecard import Scaling
from models_ml.credit.validation import discrimination, ks, psi, report_claim


def synthetic(n: int = 2000, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {v.column: rng.normal(0, 1, n) for v in FULL}
    cols["bureau_score"] = rng.normal(640, 70, n)
    logit = -2.0 - 0.8 * (cols["bureau_score"] - 640) / 70
    for v in INDICATORS:
        logit += 0.5 * v.direction * cols[v.column]
    # missing values, as for customers who never chatted
    cols["promise_kept_share"][rng.random(n) < 0.3] = np.nan
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    start = np.datetime64("2025-01-01T00:00:00", "us")
    return pl.DataFrame(cols | {
        "is_bad": bad, "loan_id": [f"L{i:05d}" for i in range(n)],
        "disbursed_at": start + (np.sort(rng.integers(0, 200 * 86400, n))
                                 * 1_000_000).astype("timedelta64[us]"),
    }).with_columns(pl.col("promise_kept_share").fill_nan(None))


@pytest.fixture(scope="module")
def fitted() -> tuple[CreditModel, pl.DataFrame]:
    frame = synthetic()
    parts = time_split(frame)
    model = CreditModel.fit(parts.filter(pl.col("split") == "train"),
                            parts.filter(pl.col("split") == "valid"), FULL, seed=1, rounds=120)
    return model, frame


def test_scaling_points_at_base_odds_and_pdo():
    s = Scaling(base_points=600, base_odds=50, pdo=20)
    p_base = 1 / 51                      # good:bad 50:1
    assert s.points(p_base) == pytest.approx(600)
    p_double = 1 / 101                   # odds 100:1
    assert s.points(p_double) - s.points(p_base) == pytest.approx(20)
    p_half = 1 / 26                      # odds 25:1
    assert s.points(p_half) == pytest.approx(580)
    assert s.factor == pytest.approx(20 / math.log(2))
    logit = np.log(p_base / (1 - p_base))
    assert s.points_from_logit(logit) == pytest.approx(600)
    assert s.p_bad(s.points([0.02, 0.3])) == pytest.approx([0.02, 0.3])


def test_monotone_constraints_hold(fitted):
    model, frame = fitted
    rows = frame.sample(200, seed=3)
    grid = np.linspace(-3, 3, 25)
    for v in FULL:
        if v.direction == 0:
            continue
        values = grid * (70 if v.column == "bureau_score" else 1) + (
            640 if v.column == "bureau_score" else 0)
        preds = np.stack([model.p_bad(rows.with_columns(pl.lit(x).alias(v.column)))
                          for x in values], axis=1)
        steps = np.diff(preds, axis=1) * v.direction
        assert steps.min() >= -1e-12, v.column


def test_model_learns_and_beats_bureau_only(fitted):
    model, frame = fitted
    parts = time_split(frame)
    test = parts.filter(pl.col("split") == "test")
    base = CreditModel.fit(parts.filter(pl.col("split") == "train"),
                           parts.filter(pl.col("split") == "valid"), FULL[:1], rounds=120)
    y = test["is_bad"].cast(pl.Int8).to_numpy()
    full, bureau = discrimination(y, model.p_bad(test)), discrimination(y, base.p_bad(test))
    assert full["auc"] > bureau["auc"] + 0.05
    assert full["gini"] == pytest.approx(2 * full["auc"] - 1)


def test_score_is_the_sum_of_contributions_and_reason_codes_name_the_worst(fitted):
    model, frame = fitted
    rows = frame.head(50)
    scored = model.score(rows, reasons=3)
    contrib = model.contributions(rows)
    assert scored["score"].to_numpy() == pytest.approx(
        model.scaling.points_from_logit(contrib.sum(axis=1)), abs=0.06)
    assert scored["p_bad"].to_numpy() == pytest.approx(model.p_bad(rows))
    points = model.scaling.contribution_points(contrib[:, :-1])
    for i, row in enumerate(scored.iter_rows(named=True)):
        worst = np.argsort(points[i], kind="stable")
        if points[i, worst[0]] < 0:
            assert row["reason_1_feature"] == model.features[worst[0]]
            assert row["reason_1_points"] == pytest.approx(points[i, worst[0]], abs=0.06)
            assert row["reason_1_zh"] and row["reason_1_en"]
        if row["reason_2_points"] is not None:
            assert row["reason_1_points"] <= row["reason_2_points"] < 0
    assert communication_points(model, rows).shape == (50,)


def test_score_table_equals_lightgbm(fitted):
    model, frame = fitted
    rows = frame.sample(300, seed=5)
    assert model.contributions(rows) == pytest.approx(model.contributions_exact(rows), abs=1e-9)
    assert np.log(model.p_bad(rows) / (1 - model.p_bad(rows))) == pytest.approx(
        model.logit(rows), abs=1e-9)


def test_reason_codes_texts_and_nulls():
    features = ["bureau_score", "reply_latency_median_s", "promise_kept_share"]
    contrib = np.array([[0.5, 0.1, -0.2],     # bureau costs most, latency next
                        [-0.1, -0.1, -0.3]])  # nothing costs points
    out = pl.DataFrame(reason_codes(contrib, features, Scaling(), reasons=2))
    first = out.row(0, named=True)
    assert first["reason_1_feature"] == "bureau_score"
    assert first["reason_1_zh"] == "征信评分偏低"
    assert first["reason_1_en"] == "Low credit bureau score"
    assert first["reason_2_feature"] == "reply_latency_median_s"
    assert first["reason_2_points"] == pytest.approx(-0.1 * 20 / math.log(2), abs=0.06)
    assert out.row(1, named=True)["reason_1_feature"] is None


def test_validation_measures():
    y = np.array([0, 0, 1, 1])
    assert ks(y, np.array([0.1, 0.2, 0.8, 0.9])) == pytest.approx(1.0)
    x = np.random.default_rng(0).normal(size=5000)
    assert psi(x, x) == pytest.approx(0, abs=1e-9)
    assert psi(x, x + 1) > 0.25
    frame = pl.DataFrame({"bureau_score": [500, 510, 700, 720, 505, 690],
                          "score": [640, 560, 600, 610, 520, 590],
                          "communication_points": [40, -10, 0, 5, -30, 2],
                          "is_bad": [False, True, False, False, True, False]})
    claim = report_claim(frame, approval_rate=0.5)
    assert claim["group_rows"] >= 1 and claim["group_approval_full_model"] == 1.0


def test_indicators_are_ten_with_a_direction():
    assert len(INDICATORS) == 10
    assert len(set(columns(INDICATORS))) == 10
    assert all(v.direction in (-1, 1) and v.reason_zh and v.reason_en for v in INDICATORS)
