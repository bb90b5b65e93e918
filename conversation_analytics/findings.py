"""Compliance findings: every content and conduct violation, with who, where and why.

:func:`build_findings` classifies every agent turn of every conversation (``conversation_turns``),
runs the conversation rules (a priced sales conversation must state the annualised rate) and the
conduct checks over contact metadata, and attributes each finding to the employee, team and
handler (in house or the agency). The result replaces ``lake/compliance_findings`` whole (one
file per day of occurrence, published at once: see ``outputs.replace_dataset``); the finding id
is stable across runs, so a finding's status and first detection survive a rebuild.

Columns: finding_id, kind (content | conversation | conduct), conversation_id, medium, context,
source_feed, source_id, utterance_index, utterance_start_s, utterance_end_s, occurred_at,
label, rule_id, rule_version, severity, score, employee_id, team_id, team_name, handler_type,
agency_id, customer_token, evidence (personal numbers redacted), detected_at, dt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator

import duckdb
import polars as pl
import pyarrow as pa

from conversation_analytics.conduct import conduct_findings
from conversation_analytics.content import ContentEngine, Evidence
from conversation_analytics.conversations import has_feed, lake_relation, register_turns
from conversation_analytics.outputs import replace_dataset
from ingestion.lake import Lake
from ingestion.lake_store import LakeStore
from ingestion.pii import redact_text

FINDINGS = pa.schema([
    ("finding_id", pa.string()), ("kind", pa.string()), ("conversation_id", pa.string()),
    ("medium", pa.string()), ("context", pa.string()), ("source_feed", pa.string()),
    ("source_id", pa.string()), ("utterance_index", pa.int64()),
    ("utterance_start_s", pa.float64()), ("utterance_end_s", pa.float64()),
    ("occurred_at", pa.timestamp("us")), ("label", pa.string()), ("rule_id", pa.string()),
    ("rule_version", pa.string()), ("severity", pa.string()), ("score", pa.float64()),
    ("employee_id", pa.string()), ("customer_token", pa.string()), ("evidence", pa.string()),
])
ATTRIBUTION = ("team_id", "team_name", "handler_type", "agency_id")
SPEAKERS_CHECKED = ("agent", "unknown")  # what the lender's side said; a mono call is unknown
BATCH_ROWS = 50_000


def finding_id(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


def build_findings(store: LakeStore, engine: ContentEngine,
                   progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Rebuild ``lake/compliance_findings`` from the lake; returns counts by label."""
    say = progress or (lambda message: None)
    detected_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with store.configure(duckdb.connect()) as con:
        register_turns(con, store)
        parts = [*_content_findings(con, engine, say)]
        say("compliance: conduct checks over calls, messages, friend adds and visits")
        parts.append(_conduct(con, store))
        findings = pl.concat([pl.from_arrow(p) for p in parts if p.num_rows], how="vertical")\
            if any(p.num_rows for p in parts) else pl.from_arrow(FINDINGS.empty_table())
        findings = _first_detected(con, store, _attributed(con, store, findings), detected_at)
    replace_dataset(store, "compliance_findings", findings, "occurred_at", "finding_id")
    counts = findings.group_by("label").len().sort("label")
    return dict(counts.iter_rows())


def _content_findings(con: duckdb.DuckDBPyConnection, engine: ContentEngine,
                      say: Callable[[str], None]) -> Iterator[pa.Table]:
    """Utterance and conversation findings, a batch of turns at a time (a conversation's turns
    never straddle two batches: they are read in conversation order and cut at boundaries)."""
    speakers = ", ".join(f"'{s}'" for s in SPEAKERS_CHECKED)
    reader = con.execute(f"""
        select conversation_id, medium, context, employee_id, customer_token,
            conversation_start, turn_index, source_id, start_s, end_s, text
        from conversation_turns where speaker in ({speakers}) and text is not null
        order by conversation_id, turn_index""").fetch_record_batch(BATCH_ROWS)
    carry = None
    done = 0
    for batch in reader:
        frame = pl.from_arrow(batch)
        if carry is not None:
            frame = pl.concat([carry, frame])
        last = frame["conversation_id"][-1]
        carry = frame.filter(pl.col("conversation_id") == last)
        ready = frame.filter(pl.col("conversation_id") != last)
        if ready.height:
            yield _classified(ready, engine)
        done += ready.height
        say(f"compliance: {done:,} turns classified")
    if carry is not None and carry.height:
        yield _classified(carry, engine)


def _classified(turns: pl.DataFrame, engine: ContentEngine) -> pa.Table:
    results = engine.classify(turns["context"].to_list(), turns["text"].to_list())
    rows = []
    records = turns.to_dicts()
    for record, result in zip(records, results, strict=True):
        rows.extend(_row("content", record, e) for e in result.evidence)
    for conversation in turns.partition_by("conversation_id", maintain_order=True):
        records = conversation.to_dicts()
        context = records[0]["context"]
        for index, evidence in engine.unmet_statements(context, [r["text"] for r in records]):
            rows.append(_row("conversation", records[index], evidence))
    return pa.Table.from_pylist(rows, schema=FINDINGS)


def _row(kind: str, turn: dict, evidence: Evidence) -> dict:
    call = turn["medium"] == "call"
    occurred = turn["conversation_start"] + dt.timedelta(seconds=float(turn["start_s"] or 0))
    return {
        "finding_id": finding_id(evidence.rule_id, evidence.label, turn["conversation_id"],
                                 turn["turn_index"]),
        "kind": kind, "conversation_id": turn["conversation_id"], "medium": turn["medium"],
        "context": turn["context"], "source_feed": "transcripts" if call else "messages",
        "source_id": turn["source_id"], "utterance_index": turn["turn_index"],
        "utterance_start_s": turn["start_s"] if call else None,
        "utterance_end_s": turn["end_s"] if call else None, "occurred_at": occurred,
        "label": evidence.label, "rule_id": evidence.rule_id,
        "rule_version": evidence.rule_version, "severity": evidence.severity,
        "score": evidence.score, "employee_id": turn["employee_id"],
        "customer_token": turn["customer_token"], "evidence": redact_text(evidence.text),
    }


def _conduct(con: duckdb.DuckDBPyConnection, store: LakeStore) -> pa.Table:
    found = pl.from_arrow(conduct_findings(con, store))
    if not found.height:
        return FINDINGS.empty_table()
    is_call = pl.col("source_feed") == "calls"
    return found.select(
        finding_id=pl.concat_str("rule_id", "source_feed", "source_id", separator="|")
        .map_elements(lambda key: finding_id(key), return_dtype=pl.String),
        kind=pl.lit("conduct"),
        conversation_id=pl.when(is_call).then(pl.lit("call:") + pl.col("source_id")),
        medium=pl.when(is_call).then(pl.lit("call")),
        context=pl.lit("collection"),
        source_feed="source_feed", source_id="source_id",
        utterance_index=pl.lit(None, pl.Int64), utterance_start_s=pl.lit(None, pl.Float64),
        utterance_end_s=pl.lit(None, pl.Float64),
        occurred_at=pl.col("occurred_at").cast(pl.Datetime("us")), label="rule_name",
        rule_id="rule_id", rule_version="rule_version", severity="severity",
        score=pl.lit(None, pl.Float64), employee_id="employee_id",
        customer_token="customer_token",
        evidence=pl.col("evidence").map_elements(redact_text, return_dtype=pl.String),
    ).to_arrow().cast(FINDINGS)


def _attributed(con: duckdb.DuckDBPyConnection, store: LakeStore,
                findings: pl.DataFrame) -> pl.DataFrame:
    """Findings with the employee's team and handler type (in house, or the agency's id)."""
    if not has_feed(store, "employees"):
        return findings.with_columns(*(pl.lit(None, pl.String).alias(c) for c in ATTRIBUTION))
    staff = con.execute(f"""
        select employee_id, team_id, team_name,
            case when agency_id is null then 'in_house' else 'agency' end as handler_type,
            agency_id
        from {lake_relation(store, "employees")}
        qualify row_number() over (partition by employee_id order by _ingested_at desc) = 1
    """).pl()
    return findings.join(staff, on="employee_id", how="left")


def _first_detected(con: duckdb.DuckDBPyConnection, store: LakeStore, findings: pl.DataFrame,
                    now: dt.datetime) -> pl.DataFrame:
    """``detected_at``: when a finding was first detected (kept across rebuilds, so that the
    time to rectify it is measured from then)."""
    now_column = pl.lit(now, pl.Datetime("us"))
    if not has_feed(store, "compliance_findings"):
        return findings.with_columns(detected_at=now_column)
    before = con.execute(f"select finding_id, detected_at from read_parquet("
                         f"'{Lake(store).files_glob('compliance_findings')}')").pl()
    return (findings.join(before, on="finding_id", how="left")
            .with_columns(detected_at=pl.coalesce("detected_at", now_column)))
