"""Collections: delinquency episodes moving through M1 -> M2 -> M3plus, and what happens in each.

An episode starts the day after a missed instalment. Stage windows (days past due): M1 1-30,
M2 31-90, M3plus 91-180, then write-off. In each stage exactly the planted share of the overdue
amount at entry is recovered (full payers cure, partial payers roll on); who pays is weighted by
the debtor's cooperation. Handlers are in house or agencies (``in_house_share``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ingestion.simulator.context import DAY, SECOND, SimContext
from ingestion.simulator.sampling import grouped_quota, quota_mask

STAGE_WINDOWS = {"M1": (0, 30), "M2": (30, 90), "M3plus": (90, 180)}
PARTIAL_SHARE = (0.3, 0.5)   # a partial payment pays this fraction of the overdue amount
AMOUNT_BLOCK = 20


def outcome_rates(target: float) -> tuple[float, float]:
    """(share paying in full, share paying in part) whose expected recovery equals ``target``."""
    p_part = 0.25 * min(target, 1.0 - target)
    return target - float(np.mean(PARTIAL_SHARE)) * p_part, p_part


def _blocks(entered: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Strata of stage entries: same entry month, similar overdue amount. Quotas applied per
    stratum keep the amount-weighted recovery of any month's cohort close to the planted rate."""
    month = entered.astype("datetime64[M]").astype(np.int64)
    order = np.lexsort((amount, month))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    first_of_month = {m: rank[month == m].min() for m in np.unique(month).tolist()}
    within = rank - np.vectorize(first_of_month.get)(month)
    return month * 100_000 + within // AMOUNT_BLOCK


def simulate_stages(ctx: SimContext, loans: pl.DataFrame, org) -> pl.DataFrame:
    """One row per stage entry of every delinquency episode visible in the period."""
    rng = ctx.rng("collections")
    loans = loans.with_row_index("loan_idx")
    episodes = loans.filter(pl.col("defaulted") & (pl.col("episode_start") < ctx.end))
    loan_idx = episodes["loan_idx"].to_numpy()
    start = episodes["episode_start"].to_numpy().astype("datetime64[s]")
    installment = episodes["installment_cny"].to_numpy()
    cooperation = (episodes["trait_repayment_cooperation"].to_numpy()
                   + episodes["trait_promise_keeping"].to_numpy()) / np.sqrt(2)
    overdue = installment.copy()
    alive = np.ones(len(loan_idx), bool)
    frames = []
    for stage, (lo, hi) in STAGE_WINDOWS.items():
        idx = np.flatnonzero(alive)
        entered = start[idx] + lo * DAY
        window_end = start[idx] + hi * DAY
        rates = ctx.world.collection.stages[stage]
        p_full, p_part = outcome_rates(rates.recovery_rate)
        amount = overdue[idx]
        block = _blocks(entered, amount)
        weights = np.exp(0.6 * cooperation[idx])
        full = grouped_quota(rng, block, dict.fromkeys(block.tolist(), p_full), weights)
        part = np.zeros(len(idx), bool)
        rest = np.flatnonzero(~full)
        part[rest] = grouped_quota(rng, block[rest], dict.fromkeys(
            block.tolist(), p_part / max(1 - p_full, 1e-9)))
        paid = np.where(full, amount, np.where(part, amount * rng.uniform(*PARTIAL_SHARE,
                                                                          len(idx)), 0.0))
        paid = np.round(paid, 2)
        pay_day = rng.integers(1, hi - lo, len(idx))
        paid_at = entered + pay_day * DAY + rng.integers(8 * 3600, 22 * 3600, len(idx)) * SECOND
        exited = np.where(full, paid_at, window_end)
        reason = np.where(full, "cured", "rolled" if stage != "M3plus" else "written_off")
        handler_in_house = quota_mask(rng, len(idx), ctx.world.collection.in_house_share)
        handler, agency, collector = org.assign_collectors(rng, stage, handler_in_house)
        frames.append(pl.DataFrame({
            "loan_idx": loan_idx[idx],
            "episode_idx": idx,
            "stage": np.full(len(idx), stage),
            "entered_at": entered.astype("datetime64[us]"),
            "window_end": window_end.astype("datetime64[us]"),
            "exited_at": exited.astype("datetime64[us]"),
            "exit_reason": reason,
            "overdue_amount_cny": np.round(amount, 2),
            "paid_cny": np.where(full | part, paid, 0.0),
            "paid_at": np.where(full | part, paid_at,
                                np.datetime64("NaT")).astype("datetime64[us]"),
            "outcome": np.select([full, part], ["full", "partial"], "none"),
            "handler_type": handler,
            "agency_id": pl.Series(list(agency), dtype=pl.String),
            "collector_id": pl.Series(collector.tolist(), dtype=pl.String),
        }))
        next_inst = installment[idx] * (1 if stage == "M1" else 2)
        overdue[idx] = np.round(amount - paid + next_inst, 2)
        alive[idx] = ~full
    stages = pl.concat(frames)
    visible = (pl.col("exited_at") > ctx.start) & (pl.col("entered_at") < ctx.end)
    return (
        stages.filter(visible)
        .sort("entered_at", "loan_idx")
        .with_columns(case_id=pl.format("CS{}", pl.col("episode_idx").cast(pl.String).str
                                        .zfill(8)))
    )
