"""Measure planted parameters straight from raw files, independently of the simulator's code.

Only file formats are shared with the simulator (CSV exports, JSON Lines device feeds); every
figure here is computed from scratch so that a test compares the world against the truth.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl

STAGE_DAYS = {"M1": 30, "M2": 60, "M3plus": 90}


def read_export(raw: Path, export: str,
                skip: frozenset[tuple[str, int]] = frozenset()) -> pl.DataFrame:
    """All daily CSV files of one export; files that are not UTF-8 are read as GBK. ``skip``:
    (file relative to ``raw``, line number) pairs to leave out, e.g. the quarantined lines."""
    frames = []
    for path in sorted((raw / "exports" / export).glob("*.csv")):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gbk")
        name = path.relative_to(raw).as_posix()
        # Line 1 is the header, so data row i sits on line i + 2.
        frame = pl.read_csv(io.StringIO(text), infer_schema=False).with_row_index(
            "_line", offset=2)
        frames.append(frame.filter(~pl.col("_line").is_in(
            [line for file, line in skip if file == name])).drop("_line"))
    return pl.concat(frames, how="diagonal_relaxed")


def customers_by_channel(raw: Path,
                         skip: frozenset[tuple[str, int]] = frozenset()) -> pl.DataFrame:
    """Per business line and channel: leads, customers, spend, share, CAC, conversion (leaving
    out the ``skip`` lines of the exports, see ``read_export``)."""
    leads = read_export(raw, "leads", skip).filter(pl.col("channel").is_not_null()
                                                   & pl.col("business_line").is_not_null())
    loans = read_export(raw, "loans", skip).filter(pl.col("lead_id").is_not_null())
    spend = read_export(raw, "marketing_spend", skip).with_columns(
        pl.col("spend_cny").cast(pl.Float64, strict=False))
    lead_counts = leads.group_by("business_line", "channel").agg(
        leads=pl.col("lead_id").n_unique())
    customers = (
        loans.join(leads.select("lead_id", "business_line", "channel"), on="lead_id",
                   suffix="_lead")
        .group_by(pl.col("business_line_lead").alias("business_line"), "channel")
        .agg(customers=pl.col("loan_id").n_unique())
    )
    cost = spend.group_by("business_line", "channel").agg(spend=pl.col("spend_cny").sum())
    return (
        lead_counts.join(customers, on=["business_line", "channel"])
        .join(cost, on=["business_line", "channel"])
        .with_columns(
            share=pl.col("customers") / pl.col("customers").sum().over("business_line"),
            cac=pl.col("spend") / pl.col("customers"),
            conversion=pl.col("customers") / pl.col("leads"),
        )
        .sort("business_line", "channel")
    )


def stage_recovery(raw: Path, period_start: dt.date, period_end: dt.date) -> pl.DataFrame:
    """Recovered / overdue-at-entry per stage, over stage entries inside the period whose whole
    stage window has elapsed by its end."""
    cases = read_export(raw, "collection_cases").with_columns(
        pl.col("assigned_at").str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False),
        pl.col("closed_at").str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False),
        pl.col("overdue_amount_cny").cast(pl.Float64, strict=False),
    ).drop_nulls(["assigned_at", "overdue_amount_cny", "loan_id", "stage"])
    pays = read_export(raw, "repayments").with_columns(
        pl.col("paid_at").str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False),
        pl.col("amount_cny").cast(pl.Float64, strict=False),
    ).drop_nulls(["paid_at", "amount_cny", "loan_id"])
    end = dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time())
    window = pl.col("stage").replace_strict(STAGE_DAYS, return_dtype=pl.Int64)
    cases = cases.with_columns(
        window_end=pl.col("assigned_at") + pl.duration(days=window),
    ).filter(
        (pl.col("assigned_at") >= dt.datetime.combine(period_start, dt.time()))
        & (pl.col("window_end") <= end)
    ).with_columns(stage_end=pl.coalesce("closed_at", "window_end"))
    recovered = (
        cases.join(pays, on="loan_id")
        .filter((pl.col("paid_at") >= pl.col("assigned_at"))
                & (pl.col("paid_at") <= pl.col("stage_end")))
        .group_by("assignment_id").agg(recovered=pl.col("amount_cny").sum())
    )
    return (
        cases.join(recovered, on="assignment_id", how="left")
        .group_by("stage")
        .agg(entries=pl.len(), overdue=pl.col("overdue_amount_cny").sum(),
             recovered=pl.col("recovered").fill_null(0).sum())
        .with_columns(recovery_rate=pl.col("recovered") / pl.col("overdue"))
        .sort("stage")
    )


def stage_complaints(raw: Path, period_start: dt.date) -> pl.DataFrame:
    cases = read_export(raw, "collection_cases").with_columns(
        pl.col("assigned_at").str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False))
    cases = cases.filter(pl.col("assigned_at") >= dt.datetime.combine(period_start, dt.time()))
    cases = cases.drop_nulls(["stage", "case_id"])
    complaints = read_export(raw, "complaints").filter(pl.col("category") == "collection")
    complaints = complaints.drop_nulls("stage")
    entered = cases.group_by("stage").agg(cases=pl.col("case_id").n_unique())
    filed = complaints.group_by("stage").agg(complaints=pl.len())
    return entered.join(filed, on="stage", how="left").with_columns(
        complaint_rate=pl.col("complaints").fill_null(0) / pl.col("cases")).sort("stage")


def sales_compliance(truth: Path) -> pl.DataFrame:
    conv = pl.read_parquet(truth / "conversations.parquet").filter(
        pl.col("context") == "sales")
    return conv.group_by("business_line", "quarter").agg(
        conversations=pl.len(), compliance_rate=pl.col("violation").is_null().mean()
    ).sort("business_line", "quarter")


def sales_violation_mix(truth: Path) -> dict[str, float]:
    conv = pl.read_parquet(truth / "conversations.parquet").filter(
        (pl.col("context") == "sales") & pl.col("violation").is_not_null())
    counts = conv.group_by("violation").len()
    total = counts["len"].sum()
    return {row["violation"]: row["len"] / total for row in counts.iter_rows(named=True)}


def read_device_feed(raw: Path, feed: str) -> pl.DataFrame:
    """Every well-formed record of a device feed (malformed lines are skipped here; ingestion
    is where they are quarantined)."""
    import orjson

    rows = []
    for path in sorted((raw / "devices" / feed).glob("*/*.jsonl")):
        for line in path.read_bytes().splitlines():
            try:
                rows.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
    return pl.DataFrame(rows, infer_schema_length=None)


def m2_answer_rate_by_hour(raw: Path) -> pl.DataFrame:
    """Answer rate of calls to debtors while their case is in M2, by local hour of the call."""
    calls = read_device_feed(raw, "calls").unique("call_id").with_columns(
        pl.col("started_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False)
        .dt.convert_time_zone("Asia/Shanghai").dt.replace_time_zone(None),
    ).drop_nulls("started_at")
    loans = read_export(raw, "loans").select("loan_id", "customer_phone")
    cases = read_export(raw, "collection_cases").filter(pl.col("stage") == "M2").with_columns(
        pl.col("assigned_at").str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False),
        pl.col("closed_at").str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False),
    ).with_columns(until=pl.coalesce("closed_at", pl.col("assigned_at") + pl.duration(days=60)))
    windows = cases.join(loans, on="loan_id").select("customer_phone", "assigned_at", "until")
    m2_calls = (
        calls.join(windows, left_on="remote_number", right_on="customer_phone")
        .filter((pl.col("started_at") >= pl.col("assigned_at"))
                & (pl.col("started_at") < pl.col("until")))
    )
    return (
        m2_calls.with_columns(hour=pl.col("started_at").dt.hour(),
                              answered=pl.col("answered_at").is_not_null())
        .filter(pl.col("hour").is_between(8, 21))
        .group_by("hour").agg(dials=pl.len(), answer_rate=pl.col("answered").mean())
        .sort("hour")
    )


def answer_rate_by_habit_distance(raw: Path, truth: Path) -> pl.DataFrame:
    """Answer rate of calls to debtors (hours 8..21) by the distance in hours between the
    call's local hour and the debtor's habitual hour from the ground truth."""
    calls = read_device_feed(raw, "calls").unique("call_id").with_columns(
        pl.col("started_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False)
        .dt.convert_time_zone("Asia/Shanghai").dt.replace_time_zone(None),
    ).drop_nulls("started_at")
    loans = read_export(raw, "loans").select("loan_id", "customer_phone").unique("customer_phone")
    habits = pl.read_parquet(truth / "loans.parquet").select("loan_id", "answer_hour")
    debtors = loans.join(habits, on="loan_id")
    return (
        calls.join(debtors, left_on="remote_number", right_on="customer_phone")
        .with_columns(hour=pl.col("started_at").dt.hour(),
                      answered=pl.col("answered_at").is_not_null())
        .filter(pl.col("hour").is_between(8, 21))
        .with_columns(distance=(pl.col("hour") - pl.col("answer_hour")).abs())
        .group_by("distance").agg(dials=pl.len(), answer_rate=pl.col("answered").mean())
        .sort("distance")
    )
