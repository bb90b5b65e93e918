"""What the call-time model reads from the warehouse, and the labels it learns.

Every frame is keyed by the debtor's phone-number token (``debtor``): the conduct limits are
per number, and a debtor's answer habits carry over from one stage to the next.

The promise label
-----------------
The warehouse only sees the promises said in transcribed calls (a handful), so the label the
model learns is an observable proxy:

    promise = the call was answered by the debtor AND (a promise to pay was extracted from its
              transcript OR a repayment on the debtor's loan landed within ``horizon_h``
              (72) hours after the call).

Every kept promise is followed by a payment, so the proxy catches kept promises made within
three days of paying; it misses broken promises (no payment follows) and counts payments that
would have come anyway. The benchmark measures its agreement with the simulator's ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl

from ingestion.lake_store import LakeStore

CHANNELS = ("ai_call", "phone_call")
PROMISE_HORIZON_H = 72

# Columns of the case context carried by a dial and by a scoring slot.
CASE_COLUMNS = ["assignment_id", "case_id", "loan_id", "debtor", "stage", "handler_type",
                "assigned_at", "dpd_at_entry", "overdue_amount_cny"]


@dataclass(frozen=True)
class History:
    """The inputs of the model, as read from the warehouse (or built by a test).

    contacts     one row per outbound call to a debtor's own number during a case assignment:
                 call_id, channel (ai_call | phone_call), called_at, answered, + CASE_COLUMNS
    repayments   loan_id, paid_at, amount_cny
    promises     promises extracted from transcripts: call_id, debtor, promised_at, is_kept
    cases        every case assignment: CASE_COLUMNS + stage_end, closed_at
    as_of        the first day the warehouse has no data for (its ``as_of_day``)
    """

    contacts: pl.DataFrame
    repayments: pl.DataFrame
    promises: pl.DataFrame
    cases: pl.DataFrame
    as_of: date


def connect(warehouse_path: Path, store: LakeStore) -> duckdb.DuckDBPyConnection:
    """The warehouse attached read-only under the catalog name its views use (``warehouse``),
    able to read the lake its staging views read (``store``)."""
    con = store.configure(duckdb.connect())
    con.execute(f"attach '{Path(warehouse_path)}' as warehouse (read_only)")
    con.execute("use warehouse")
    return con


def load_history(warehouse_path: Path, store: LakeStore) -> History:
    with connect(warehouse_path, store) as con:
        cases = con.execute("""
            select c.assignment_id, c.case_id, c.loan_id, l.customer_phone_token as debtor,
                   c.stage, c.handler_type, c.assigned_at, c.dpd_at_entry,
                   c.overdue_amount_cny, c.stage_end, c.closed_at
            from marts.fct_collection_cases c
            join staging.stg_lake__loans l using (loan_id)
            order by c.assignment_id""").pl()
        contacts = con.execute(f"""
            select x.contact_id as call_id, x.tool as channel, x.contacted_at as called_at,
                   coalesce(x.is_answered, false) as answered
                 , {", ".join(f"c.{col}" for col in CASE_COLUMNS)}
            from intermediate.int_debtor_contacts_joined_to_cases x
            join (select c.*, l.customer_phone_token as debtor
                  from marts.fct_collection_cases c
                  join staging.stg_lake__loans l using (loan_id)) c using (assignment_id)
            where x.tool in {CHANNELS}
            order by x.contacted_at, x.contact_id""").pl()
        repayments = con.execute("""
            select loan_id, paid_at, amount_cny from staging.stg_lake__repayments
            where paid_at is not null order by loan_id, paid_at""").pl()
        promises = con.execute("""
            select source_id as call_id, customer_phone_token as debtor, promised_at, is_kept
            from marts.fct_promises_to_pay order by promised_at""").pl()
        as_of = con.execute("select max(as_of_day) from marts.fct_collection_cases").fetchone()[0]
    if as_of is None:
        as_of = (contacts["called_at"].max().date() + timedelta(days=1)) if len(contacts) \
            else date.today()
    return History(contacts, repayments, promises, cases, as_of)


def label_dials(history: History, horizon_h: int = PROMISE_HORIZON_H) -> pl.DataFrame:
    """``contacts`` with ``promise`` (see the module docstring) and ``promise_seen_at``: when
    the promise became observable (the payment, or the call for a transcript promise), so that
    history features only count promises already visible."""
    contacts = history.contacts.sort("called_at")
    payments = (history.repayments.select("loan_id", pl.col("paid_at").alias("next_paid_at"))
                .sort("next_paid_at"))
    contacts = contacts.with_columns(
        _after=pl.col("called_at") + pl.duration(microseconds=1)).sort("_after")
    paid = contacts.join_asof(payments, left_on="_after", right_on="next_paid_at", by="loan_id",
                              strategy="forward", tolerance=timedelta(hours=horizon_h),
                              check_sortedness=False)
    transcript = history.promises.select("call_id", pl.lit(True).alias("_said"))
    labelled = paid.join(transcript.unique("call_id"), on="call_id", how="left")
    said = pl.col("_said").fill_null(False)
    promise = pl.col("answered") & (said | pl.col("next_paid_at").is_not_null())
    return (labelled
            .with_columns(promise=promise,
                          promise_seen_at=pl.when(pl.col("answered") & said)
                          .then(pl.col("called_at"))
                          .when(promise).then(pl.col("next_paid_at")))
            .drop("_after", "_said", "next_paid_at")
            .sort("called_at", "call_id"))


def open_cases(history: History, on: date | None = None) -> pl.DataFrame:
    """Assignments still open on ``on`` (default: the warehouse's as-of day)."""
    day = on or history.as_of
    start = pl.lit(day).cast(pl.Datetime("us"))
    return history.cases.filter(
        (pl.col("assigned_at") <= start) & pl.col("closed_at").is_null()
        & (pl.col("stage_end").is_null() | (pl.col("stage_end") > start))
    ).sort("assignment_id")
