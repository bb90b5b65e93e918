"""Features of a (debtor, day, hour) slot, from the contact history visible before that day.

One builder serves training (each logged dial is a slot: its debtor, day and hour) and scoring
(every hour 08..21 of a planned day). History is cut at the start of the slot's ``as_of_day``:
a dial at 15:00 never sees the 10:00 answer of the same day, exactly as a plan made the evening
before would not. That keeps training and scoring alike and the features free of leakage.

Features
--------
context   hour, iso day of week, stage, handler type, channel, days past due at the slot,
          days in the stage, overdue amount (log)
debtor    dials, answers and answer rate so far; at this hour, and within an hour either side
          of it (debtors keep habitual hours, and one hour alone is sparse): dials, answers,
          answer rate and its lift over the debtor's own rate; days since the last answered
          call; answers in the last 7 days
promises  promises seen so far (see ``data``), promises from transcripts and how many of those
          were kept, repayments on the loan so far and since the assignment began
"""

from __future__ import annotations

from datetime import date

import polars as pl

ALLOWED_HOURS = tuple(range(8, 22))      # 08:00-21:59, outside the quiet hours
CATEGORICAL = {"stage": ("M1", "M2", "M3plus"),
               "handler_type": ("in_house", "agency"),
               "channel": ("ai_call", "phone_call")}
NUMERIC = ["hour", "iso_dow", "dpd", "days_in_stage", "log_overdue",
           "h_dials", "h_answers", "h_answer_rate",
           "h_hour_dials", "h_hour_answers", "h_hour_answer_rate", "h_hour_lift",
           "h_near_dials", "h_near_answers", "h_near_answer_rate", "h_near_lift",
           "h_days_since_answer", "h_answers_7d",
           "h_promises", "h_transcript_promises", "h_transcript_kept",
           "h_repayments", "h_case_repayments"]
FEATURES = NUMERIC + list(CATEGORICAL)


def _cumulative(events: pl.DataFrame, keys: list[str], day: str,
                values: dict[str, pl.Expr]) -> pl.DataFrame:
    """Per ``keys`` and day, the running totals of ``values``, visible from the next day on."""
    daily = events.group_by([*keys, day]).agg(**values).sort([*keys, day])
    return daily.select(
        *keys,
        (pl.col(day) + pl.duration(days=1)).alias("_visible"),
        *(pl.col(v).cum_sum().over(keys).alias(v) for v in values),
    ).sort("_visible")


def _asof(slots: pl.DataFrame, table: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return slots.join_asof(table, left_on="as_of_day", right_on="_visible", by=keys,
                           strategy="backward", check_sortedness=False).drop("_visible")


def build_features(slots: pl.DataFrame, dials: pl.DataFrame, repayments: pl.DataFrame,
                   promises: pl.DataFrame) -> pl.DataFrame:
    """``slots`` (debtor, loan_id, assigned_at, stage, handler_type, dpd_at_entry,
    overdue_amount_cny, channel, day, hour, as_of_day; any other columns ride along) with
    FEATURES added. ``dials`` are labelled contacts (``data.label_dials``)."""
    calls = dials.with_columns(day=pl.col("called_at").dt.date(),
                               hour=pl.col("called_at").dt.hour().cast(pl.Int32),
                               answered=pl.col("answered").cast(pl.Int32))
    by_debtor = _cumulative(calls, ["debtor"], "day",
                            {"h_dials": pl.len(), "h_answers": pl.col("answered").sum()})
    by_hour = _cumulative(calls, ["debtor", "hour"], "day",
                          {"h_hour_dials": pl.len(), "h_hour_answers": pl.col("answered").sum()})
    near = pl.concat([calls.with_columns(pl.col("hour") + offset) for offset in (-1, 0, 1)])
    by_near = _cumulative(near, ["debtor", "hour"], "day",
                          {"h_near_dials": pl.len(), "h_near_answers": pl.col("answered").sum()})
    answered_days = (calls.filter(pl.col("answered") == 1).select("debtor", "day").unique()
                     .with_columns(_last=pl.col("day"), _visible=pl.col("day")
                                   + pl.duration(days=1)).drop("day").sort("_visible"))
    seen = dials.filter(pl.col("promise")).with_columns(day=pl.col("promise_seen_at").dt.date())
    by_promise = _cumulative(seen, ["debtor"], "day", {"h_promises": pl.len()})
    said = promises.with_columns(day=pl.col("promised_at").dt.date())
    by_said = _cumulative(said, ["debtor"], "day", {
        "h_transcript_promises": pl.len(),
        "h_transcript_kept": pl.col("is_kept").fill_null(False).cast(pl.Int32).sum()})
    paid = repayments.with_columns(day=pl.col("paid_at").dt.date())
    by_loan = _cumulative(paid, ["loan_id"], "day", {"h_repayments": pl.len()})

    out = slots.with_columns(pl.col("hour").cast(pl.Int32), _row=pl.int_range(pl.len()))
    out = out.sort("as_of_day")
    out = _asof(out, by_debtor, ["debtor"])
    out = _asof(out, by_hour, ["debtor", "hour"])
    out = _asof(out, by_near, ["debtor", "hour"])
    out = _asof(out, answered_days, ["debtor"])
    out = _asof(out, by_promise, ["debtor"])
    out = _asof(out, by_said, ["debtor"])
    out = _asof(out, by_loan, ["loan_id"])
    out = _answers_last_week(out, calls)
    out = _case_repayments(out, paid)

    counts = ["h_dials", "h_answers", "h_hour_dials", "h_hour_answers", "h_near_dials",
              "h_near_answers", "h_promises",
              "h_transcript_promises", "h_transcript_kept", "h_repayments"]
    as_of = pl.col("as_of_day").cast(pl.Datetime("us"))
    day_start = pl.col("day").cast(pl.Datetime("us"))
    out = out.with_columns(pl.col(c).fill_null(0).cast(pl.Float64) for c in counts)
    rate = pl.col("h_answers") / pl.col("h_dials")
    hour_rate = pl.col("h_hour_answers") / pl.col("h_hour_dials")
    near_rate = pl.col("h_near_answers") / pl.col("h_near_dials")
    out = out.with_columns(
        iso_dow=pl.col("day").dt.weekday().cast(pl.Int32),
        days_in_stage=(day_start - pl.col("assigned_at").dt.truncate("1d")).dt.total_days(),
        log_overdue=pl.col("overdue_amount_cny").fill_null(0).log1p(),
        h_answer_rate=pl.when(pl.col("h_dials") > 0).then(rate),
        h_hour_answer_rate=pl.when(pl.col("h_hour_dials") > 0).then(hour_rate),
        h_near_answer_rate=pl.when(pl.col("h_near_dials") > 0).then(near_rate),
        h_days_since_answer=(as_of - pl.col("_last").cast(pl.Datetime("us"))).dt.total_days(),
    ).with_columns(
        dpd=pl.col("dpd_at_entry") + pl.col("days_in_stage"),
        h_hour_lift=pl.when(pl.col("h_answer_rate") > 0)
        .then(pl.col("h_hour_answer_rate") / pl.col("h_answer_rate")),
        h_near_lift=pl.when(pl.col("h_answer_rate") > 0)
        .then(pl.col("h_near_answer_rate") / pl.col("h_answer_rate")),
    )
    cast = [pl.col(c).cast(pl.Float64) for c in NUMERIC if c not in ("hour", "iso_dow")]
    return out.with_columns(cast).drop("_last").sort("_row").drop("_row")


def _answers_last_week(slots: pl.DataFrame, calls: pl.DataFrame) -> pl.DataFrame:
    """Answers in the 7 days before the slot's as-of day: running total now minus a week ago."""
    table = _cumulative(calls, ["debtor"], "day", {"_cum": pl.col("answered").sum()})
    now = _asof(slots, table, ["debtor"])
    week_ago = _asof(slots.select("_row", "debtor",
                                  (pl.col("as_of_day") - pl.duration(days=7)).alias("as_of_day"))
                     .sort("as_of_day"), table, ["debtor"])
    return (now.join(week_ago.select("_row", pl.col("_cum").alias("_cum_7")), on="_row")
            .with_columns(h_answers_7d=(pl.col("_cum").fill_null(0)
                                        - pl.col("_cum_7").fill_null(0)).cast(pl.Float64))
            .drop("_cum", "_cum_7"))


def _case_repayments(slots: pl.DataFrame, paid: pl.DataFrame) -> pl.DataFrame:
    """Repayments on the loan since the assignment began and before the as-of day."""
    pairs = (slots.select("_row", "loan_id", "assigned_at", "as_of_day")
             .join(paid.select("loan_id", "paid_at"), on="loan_id", how="inner")
             .filter((pl.col("paid_at") >= pl.col("assigned_at"))
                     & (pl.col("paid_at") < pl.col("as_of_day").cast(pl.Datetime("us"))))
             .group_by("_row").agg(h_case_repayments=pl.len().cast(pl.Float64)))
    return (slots.join(pairs, on="_row", how="left")
            .with_columns(pl.col("h_case_repayments").fill_null(0.0)))


def dial_slots(dials: pl.DataFrame) -> pl.DataFrame:
    """Each logged dial as a slot: its own day and hour, history up to that day."""
    return dials.with_columns(day=pl.col("called_at").dt.date(),
                              hour=pl.col("called_at").dt.hour().cast(pl.Int32),
                              as_of_day=pl.col("called_at").dt.date())


def plan_slots(cases: pl.DataFrame, days: list[date], as_of: date,
               channel: str = "phone_call") -> pl.DataFrame:
    """Every allowed hour of every planned day for each case, history up to ``as_of``."""
    grid = pl.DataFrame({"day": days}).join(
        pl.DataFrame({"hour": list(ALLOWED_HOURS)}, schema={"hour": pl.Int32}), how="cross")
    return (cases.join(grid, how="cross")
            .with_columns(channel=pl.lit(channel),
                          as_of_day=pl.min_horizontal(pl.col("day"), pl.lit(as_of))))
