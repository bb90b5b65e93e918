"""Repayment schedules and repayments: instalments paid on time, and what collections recover."""

from __future__ import annotations

import numpy as np
import polars as pl

from ingestion.simulator.context import SimContext
from ingestion.simulator.lending import due_dates
from ingestion.simulator.render_sales import seconds


def schedules(loans: pl.DataFrame) -> pl.DataFrame:
    term = loans["term_months"].to_numpy()
    loan_idx = np.repeat(np.arange(loans.height), term)
    k = np.concatenate([np.arange(1, t + 1) for t in term]) if len(term) else np.array([], int)
    disbursed = loans["disbursed_at"].to_numpy().astype("datetime64[s]")[loan_idx]
    return pl.DataFrame({
        "loan_idx": loan_idx,
        "loan_id": loans["loan_id"].to_numpy()[loan_idx],
        "installment_no": k,
        "due_date": due_dates(disbursed, k),
        "amount_due_cny": loans["installment_cny"].to_numpy()[loan_idx],
        "disbursed_at": disbursed.astype("datetime64[us]"),
    })


def repayments(ctx: SimContext, loans: pl.DataFrame, schedule: pl.DataFrame,
               stages: pl.DataFrame) -> pl.DataFrame:
    """Regular instalments outside delinquency, plus the payments made in collection stages."""
    rng = ctx.rng("repayments")
    start, end = seconds(np.array([ctx.start]))[0], seconds(np.array([ctx.end]))[0]
    episodes = stages.group_by("loan_idx").agg(
        cured_at=pl.when(pl.col("exit_reason") == "cured").then(pl.col("exited_at")).max(),
    )
    sched = (
        schedule.join(loans.select(pl.int_range(pl.len()).alias("loan_idx"),
                                   "defaulted", "first_missed"), on="loan_idx")
        .join(episodes, on="loan_idx", how="left")
        .with_columns(due_s=pl.col("due_date").cast(pl.Datetime("us")).dt.epoch("s"))
    )
    regular = sched.filter(
        ~pl.col("defaulted")
        | (pl.col("installment_no") < pl.col("first_missed"))
        # After a cure, instalments resume; one falling due within days of the cure is part
        # of the cure payment.
        | (pl.col("cured_at").is_not_null()
           & (pl.col("due_date").cast(pl.Datetime("us"))
              > pl.col("cured_at") + pl.duration(days=4)))
    )
    paid_at = (regular["due_s"].to_numpy() - rng.integers(0, 4, regular.height) * 86400
               + rng.integers(8 * 3600, 22 * 3600, regular.height))
    regular_rows = pl.DataFrame({
        "loan_id": regular["loan_id"], "paid_at": paid_at,
        "amount_cny": regular["amount_due_cny"],
        "method": rng.choice(["auto_debit", "app", "bank_transfer"], regular.height,
                             p=[0.6, 0.3, 0.1]),
    })
    paid = stages.filter(pl.col("paid_at").is_not_null())
    stage_rows = pl.DataFrame({
        "loan_id": loans["loan_id"].to_numpy()[paid["loan_idx"].to_numpy()],
        "paid_at": seconds(paid["paid_at"].to_numpy()),
        "amount_cny": paid["paid_cny"],
        "method": rng.choice(["app", "bank_transfer"], paid.height, p=[0.7, 0.3]),
    })
    rows = pl.concat([regular_rows, stage_rows]).filter(
        (pl.col("paid_at") >= start) & (pl.col("paid_at") < end)
    ).sort("paid_at", "loan_id")
    return rows.with_columns(repayment_id=pl.format("RP{}", pl.int_range(1, pl.len() + 1)
                                                    .cast(pl.String).str.zfill(9)))
