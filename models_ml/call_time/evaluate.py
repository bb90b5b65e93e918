"""Off-policy evaluation of call schedules on the test period, from the logged dials alone.

Method (self-normalised inverse-propensity replay)
--------------------------------------------------
A schedule picks, for each debtor and day, a set S of ``k`` hour windows and dials each once.
The logged dials of the test period were placed by the collectors' habits, which depend on the
stage (and the AI dialer's working hours) but not on the debtor's answer hours. So a logged
dial at hour h stands for the schedule's dial at h, re-weighted by the logging propensity
mu(h | stage): the share of the stage's logged test dials at that hour. The schedule's value
per dial is

    V = sum_i w_i y_i / sum_i w_i,      w_i = 1[h_i in S(debtor_i, day_i)] / mu(h_i | stage_i)

with y the answer (right-party contact) or the promise label. Contacts (promises) at equal
dials are V times the same number of dials, so the lift of one schedule over another is the
ratio of their V. No model enters the estimate (only the choice of S), so the model is not
marking its own work. Replayed dials are the human work-phone dials (the recommendations' own
channel) inside 08-21h and inside the conduct limits (a dial a compliant plan could not make is
not evidence about one). A bootstrap over debtor-days gives the intervals.

Schedules compared
------------------
model           the k hours with the highest predicted answer probability for that debtor-day
stage_best      the k hours with the highest average answer rate of the debtor's stage in the
                training period (the collectors' "best hour of the stage")
uniform         every allowed hour alike (S = all 14 windows)
"""

from __future__ import annotations

import numpy as np
import polars as pl

from models_ml.call_time.features import ALLOWED_HOURS
from models_ml.call_time.policy import MAX_ANSWERED, MAX_UNANSWERED


def replay_dials(dials: pl.DataFrame, channel: str = "phone_call") -> pl.DataFrame:
    """The logged dials a compliant schedule could have made: ``channel``, allowed hours,
    within 3 answered and 6 unanswered per number and day (in time order)."""
    frame = (dials.filter((pl.col("channel") == channel)
                          & pl.col("hour").is_in(list(ALLOWED_HOURS)))
             .sort("called_at", "call_id")
             .with_columns(_k=pl.int_range(pl.len()).over("debtor", "day", "answered")))
    limit = pl.when(pl.col("answered")).then(MAX_ANSWERED).otherwise(MAX_UNANSWERED)
    return frame.filter(pl.col("_k") < limit).drop("_k")


def stage_best_hours(train_dials: pl.DataFrame, k: int) -> pl.DataFrame:
    """Per stage, its k best hours by the average answer rate of the training dials."""
    rates = (train_dials.filter(pl.col("hour").is_in(list(ALLOWED_HOURS)))
             .group_by("stage", "hour").agg(rate=pl.col("answered").mean())
             .sort(["stage", "rate", "hour"], descending=[False, True, False]))
    return rates.with_columns(r=pl.int_range(pl.len()).over("stage")).filter(
        pl.col("r") < k).select("stage", "hour")


def model_hours(scored_slots: pl.DataFrame, k: int, rank_by: str = "p_answer") -> pl.DataFrame:
    """Per debtor-day, the k hours the model ranks highest."""
    return (scored_slots.sort(["debtor", "day", rank_by, "hour"],
                              descending=[False, False, True, False])
            .with_columns(r=pl.int_range(pl.len()).over("debtor", "day"))
            .filter(pl.col("r") < k).select("debtor", "day", "hour"))


def _weighted(logged: pl.DataFrame, chosen: pl.DataFrame | None, keys: list[str]) -> pl.DataFrame:
    """Per debtor-day: sum of weights and of weighted answers and promises for a schedule."""
    frame = logged if chosen is None else logged.join(chosen, on=keys, how="semi")
    return (frame.group_by("debtor", "day").agg(
        w=pl.col("w").sum(), wy=(pl.col("w") * pl.col("answered")).sum(),
        wp=(pl.col("w") * pl.col("promise")).sum()))


def replay(logged: pl.DataFrame, schedules: dict[str, tuple[pl.DataFrame | None, list[str]]],
           baselines: tuple[str, ...] = ("stage_best", "uniform"), target: str = "model",
           bootstrap: int = 200, seed: int = 0) -> dict:
    """Value per dial of each schedule, contacts and promises at the logged number of dials,
    and the lift of ``target`` over each baseline with 90% bootstrap intervals.

    ``schedules`` maps a name to (chosen hours, join keys): ``None`` means every hour."""
    share = logged.group_by("stage", "hour").len().with_columns(
        mu=pl.col("len") / pl.col("len").sum().over("stage"))
    logged = (logged.join(share.select("stage", "hour", "mu"), on=["stage", "hour"])
              .with_columns(w=1.0 / pl.col("mu"),
                            answered=pl.col("answered").cast(pl.Float64),
                            promise=pl.col("promise").cast(pl.Float64)))
    days = logged.select("debtor", "day").unique().sort("debtor", "day")
    sums = {}
    for name, (chosen, keys) in schedules.items():
        per_day = days.join(_weighted(logged, chosen, keys), on=["debtor", "day"], how="left")
        sums[name] = per_day.fill_null(0.0).select("w", "wy", "wp").to_numpy()
    n_dials = len(logged)
    result: dict = {"dials": n_dials, "debtor_days": len(days), "schedules": {}, "lift": {}}
    for name, s in sums.items():
        total = s.sum(axis=0)
        contact, promise = (total[1] / total[0], total[2] / total[0]) if total[0] else (0, 0)
        result["schedules"][name] = {
            "contact_rate_per_dial": contact, "promise_rate_per_dial": promise,
            "contacts_at_equal_dials": contact * n_dials,
            "promises_at_equal_dials": promise * n_dials,
            "matched_dials": int((s[:, 0] > 0).sum())}
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(days), size=(bootstrap, len(days))) if len(days) else None
    for base in baselines:
        if base not in sums or target not in sums:
            continue
        lifts = {}
        for j, what in ((1, "contacts"), (2, "promises")):
            point = _ratio(sums[target], sums[base], j)
            interval = None
            if draws is not None and bootstrap:
                boot = np.array([_ratio(sums[target][d], sums[base][d], j) for d in draws])
                if np.isfinite(boot).any():
                    interval = [float(np.nanpercentile(boot, 5)),
                                float(np.nanpercentile(boot, 95))]
            lifts[what] = {"lift": point, "interval_90": interval}
        result["lift"][f"{target}_vs_{base}"] = lifts
    return result


def _ratio(target: np.ndarray, base: np.ndarray, j: int) -> float:
    t, b = target.sum(axis=0), base.sum(axis=0)
    if not t[0] or not b[0] or not b[j]:
        return float("nan")
    return float((t[j] / t[0]) / (b[j] / b[0]) - 1.0)
