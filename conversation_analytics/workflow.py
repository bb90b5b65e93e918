"""What happens to a finding after it is found: alerts, and the open → acknowledged → rectified
workflow that measures the time to rectify.

Both are append-only logs in the lake, never rewritten, so a rebuild of the findings (which keeps
finding ids stable) loses neither:

    lake/compliance_alerts/part-<time>.parquet         one row per alert raised
    lake/compliance_finding_events/part-<time>.parquet one row per status change

and every alert is also appended to ``WORKPHONE_HOME/alerts/alerts.jsonl`` for a webhook to read.
The warehouse tables ``compliance.compliance_findings`` (each finding with its current status,
when it was acknowledged and rectified and the hours it took), ``compliance.finding_events``
and ``compliance.alerts`` are rebuilt from the lake by :func:`publish_compliance_tables`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import duckdb
import polars as pl

from conversation_analytics.content_rules import SEVERITY_RANK
from conversation_analytics.outputs import write_file
from ingestion.lake import Lake
from workphone.settings import Settings

STATUSES = ("open", "acknowledged", "rectified")
NEXT = {"open": ("acknowledged", "rectified"), "acknowledged": ("rectified",), "rectified": ()}
EVENTS = {"finding_id": pl.String, "status": pl.String, "previous_status": pl.String,
          "changed_by": pl.String, "note": pl.String, "changed_at": pl.Datetime("us")}
ALERT_COLUMNS = ("finding_id", "severity", "label", "rule_id", "rule_version", "employee_id",
                 "team_name", "handler_type", "agency_id", "conversation_id", "source_id",
                 "occurred_at", "evidence")


class WorkflowError(ValueError):
    """A status change the workflow does not allow, with the finding and what is allowed."""


def _read(settings: Settings, log: str) -> pl.DataFrame | None:
    store = settings.lake_store
    files = [store.url_of(path) for path in store.files(log)]
    return pl.read_parquet(files, storage_options=store.polars_options()) if files else None


def _append(settings: Settings, log: str, frame: pl.DataFrame) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    write_file(frame, settings.lake_store, log, f"part-{stamp}-{uuid.uuid4().hex[:8]}.parquet")


def findings(settings: Settings) -> pl.DataFrame | None:
    store = settings.lake_store
    if not store.has_files("compliance_findings"):
        return None
    return pl.read_parquet(Lake(store).files_glob("compliance_findings"),
                           hive_partitioning=False, storage_options=store.polars_options())


def current_status(settings: Settings, finding: str) -> str:
    events = _read(settings, "compliance_finding_events")
    if events is None:
        return "open"
    mine = events.filter(pl.col("finding_id") == finding).sort("changed_at")
    return mine["status"][-1] if mine.height else "open"


def set_status(settings: Settings, finding: str, status: str, by: str,
               note: str | None = None) -> dict:
    """Move a finding to ``status`` (acknowledged or rectified), recording who and when."""
    known = findings(settings)
    if known is None or not known.filter(pl.col("finding_id") == finding).height:
        raise WorkflowError(f"no finding {finding!r} in {settings.lake_uri}/compliance_findings;"
                            " list them with `workphone compliance findings`")
    now_status = current_status(settings, finding)
    if status not in NEXT[now_status]:
        allowed = ", ".join(NEXT[now_status]) or "nothing (it is rectified)"
        raise WorkflowError(f"finding {finding} is {now_status}: it can move to {allowed}, "
                            f"not {status!r}")
    event = {"finding_id": finding, "status": status, "previous_status": now_status,
             "changed_by": by, "note": note,
             "changed_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)}
    _append(settings, "compliance_finding_events", pl.DataFrame([event], schema=EVENTS))
    return event


def raise_alerts(settings: Settings, min_severity: str = "high") -> int:
    """Alert every finding at ``min_severity`` or above that has no alert yet; returns how many
    were raised. Each alert lands in the lake and as one JSON line in the alert sink."""
    known = findings(settings)
    if known is None:
        return 0
    severe = [s for s, rank in SEVERITY_RANK.items() if rank >= SEVERITY_RANK[min_severity]]
    due = known.filter(pl.col("severity").is_in(severe))
    raised = _read(settings, "compliance_alerts")
    if raised is not None:
        due = due.join(raised.select("finding_id"), on="finding_id", how="anti")
    if not due.height:
        return 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    alerts = due.select(*ALERT_COLUMNS).sort("occurred_at", "finding_id").with_columns(
        alerted_at=pl.lit(now, pl.Datetime("us")))
    settings.alerts_sink.parent.mkdir(parents=True, exist_ok=True)
    with settings.alerts_sink.open("a", encoding="utf-8") as sink:
        for alert in alerts.iter_rows(named=True):
            sink.write(json.dumps(alert, ensure_ascii=False, default=str) + "\n")
    _append(settings, "compliance_alerts", alerts)
    return alerts.height


def _start_logs(settings: Settings, known: pl.DataFrame) -> None:
    """Give each log an empty first part, so that readers of the lake (the dbt sources) find a
    typed dataset before the first status change or alert."""
    starts = {"compliance_finding_events": pl.DataFrame(schema=EVENTS),
              "compliance_alerts": known.select(*ALERT_COLUMNS).clear().with_columns(
                  alerted_at=pl.lit(None, pl.Datetime("us")))}
    for name, empty in starts.items():
        if _read(settings, name) is None:
            _append(settings, name, empty)


def publish_compliance_tables(settings: Settings) -> None:
    """(Re)build the warehouse's ``compliance`` schema from the lake."""
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    known = findings(settings)
    if known is not None:
        _start_logs(settings, known)
    events = _read(settings, "compliance_finding_events")
    alerts = _read(settings, "compliance_alerts")
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("create schema if not exists compliance")
        if known is None:
            con.execute("drop table if exists compliance.compliance_findings")
            return
        con.register("found", known.to_arrow())
        con.register("events", (events if events is not None
                                else pl.DataFrame(schema=EVENTS)).to_arrow())
        con.execute("create or replace table compliance.finding_events as "
                    "select * from events order by changed_at")
        con.execute("""
            create or replace table compliance.compliance_findings as
            with last as (
                select finding_id,
                    arg_max(status, changed_at) as status,
                    min(changed_at) filter (where status = 'acknowledged') as acknowledged_at,
                    min(changed_at) filter (where status = 'rectified') as rectified_at
                from events group by finding_id
            )
            select f.*, coalesce(l.status, 'open') as status, l.acknowledged_at,
                l.rectified_at,
                date_diff('second', f.detected_at, l.rectified_at) / 3600.0
                    as hours_to_rectify
            from found f left join last l using (finding_id)
            order by f.occurred_at, f.finding_id""")
        if alerts is not None:
            con.register("alerts", alerts.to_arrow())
            con.execute("create or replace table compliance.alerts as "
                        "select * from alerts order by alerted_at, finding_id")
        con.unregister("found")
        con.unregister("events")
