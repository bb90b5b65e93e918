"""From scored slots to a day's call plan that keeps the conduct limits.

Limits (per debtor's number and day): at most ``MAX_ANSWERED`` (3) answered calls, at most
``MAX_UNANSWERED`` (6) unanswered dials, nothing outside 08:00-21:59.

A plan is a ranked list of distinct hour windows, one dial each, at most ``MAX_UNANSWERED`` per
number and day (across all the debtor's open cases): even if no dial is answered the unanswered
limit holds. The answered limit is a stop rule carried in the plan (``stop_after_answered``):
the collector dials the windows in rank order and stops at the third answered call, so it holds
whatever the debtor does. ``p_reached`` is the probability a window is still dialled under that
rule and the expected columns count contacts and promises with it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from models_ml.call_time.features import ALLOWED_HOURS

MAX_ANSWERED = 3
MAX_UNANSWERED = 6


def plan(scored: pl.DataFrame, dials_per_day: int = MAX_UNANSWERED,
         rank_by: str = "p_answer") -> pl.DataFrame:
    """The top ``dials_per_day`` (≤ 6) allowed hours of each debtor and day, ranked by
    ``rank_by`` (ties: the higher promise probability, then the earlier hour)."""
    k = min(dials_per_day, MAX_UNANSWERED)
    other = "p_promise" if rank_by == "p_answer" else "p_answer"
    ranked = (scored.filter(pl.col("hour").is_in(list(ALLOWED_HOURS)))
              # One window per hour and number: the case most likely to answer there.
              .sort([rank_by, other, "assignment_id"], descending=[True, True, False])
              .unique(["debtor", "day", "hour"], keep="first", maintain_order=True)
              .sort(["debtor", "day", rank_by, other, "hour"],
                    descending=[False, False, True, True, False])
              .with_columns(rank=pl.int_range(1, pl.len() + 1).over("debtor", "day"))
              .filter(pl.col("rank") <= k))
    ranked = _stop_rule(ranked)
    start = pl.col("day").cast(pl.Datetime("us")) + pl.duration(hours=pl.col("hour"))
    return ranked.with_columns(window_start=start, window_end=start + pl.duration(hours=1),
                               max_dials=pl.lit(1, pl.Int32),
                               stop_after_answered=pl.lit(MAX_ANSWERED, pl.Int32))


def _stop_rule(ranked: pl.DataFrame) -> pl.DataFrame:
    """p_reached per window (fewer than 3 answers before it) and the cumulative expected
    contacts and promises, by an exact Poisson-binomial recursion over the ranked windows."""
    ranked = ranked.sort("debtor", "day", "rank")
    p = ranked["p_answer"].to_numpy()
    q = ranked["p_promise_given_answer"].to_numpy()
    first = ranked["rank"].to_numpy() == 1
    reached = np.empty(len(p))
    contacts = np.empty(len(p))
    promises = np.empty(len(p))
    state = np.zeros(MAX_ANSWERED + 1)       # P(answers so far = 0, 1, 2, ≥3)
    for i in range(len(p)):
        if first[i]:
            state[:] = 0.0
            state[0] = 1.0
            got, promised = 0.0, 0.0
        reached[i] = min(1.0, state[:MAX_ANSWERED].sum())
        got += reached[i] * p[i]
        promised += reached[i] * p[i] * q[i]
        contacts[i], promises[i] = got, promised
        moved = state[:MAX_ANSWERED] * p[i]
        state[:MAX_ANSWERED] -= moved
        state[1:] += moved
    return ranked.with_columns(p_reached=pl.Series(reached),
                               expected_contacts=pl.Series(contacts),
                               expected_promises=pl.Series(promises))


def execute(plan_frame: pl.DataFrame, answered: np.ndarray) -> pl.DataFrame:
    """Dial a plan with given outcomes (one bool per window, in plan order) under its stop
    rule; per debtor and day: dials, answered and unanswered calls (what the tests check)."""
    frame = plan_frame.sort("debtor", "day", "rank").with_columns(
        _ans=pl.Series(answered).cast(pl.Int32))
    frame = frame.with_columns(_before=(pl.col("_ans").cum_sum() - pl.col("_ans"))
                               .over("debtor", "day"))
    dialled = frame.filter(pl.col("_before") < pl.col("stop_after_answered"))
    return dialled.group_by("debtor", "day").agg(
        dials=pl.len(), answered=pl.col("_ans").sum(),
        unanswered=(1 - pl.col("_ans")).sum(), min_hour=pl.col("hour").min(),
        max_hour=pl.col("hour").max())
