"""Data health: the contract checks of every feed (what each delivery gave: landed,
quarantined, duplicates), quarantine counts and reasons, freshness against each feed's SLA, and
the dbt tests of the last build."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

import pandas as pd

from dashboards.access import Viewer, require_page
from dashboards.warehouse import Warehouse

PAGE = "data_health"


def contract_checks(db: Warehouse, viewer: Viewer) -> pd.DataFrame:
    """Per feed: files, records read, landed, quarantined, duplicates, the share quarantined
    and whether every record is accounted for (read = landed + quarantined + duplicates)."""
    require_page(viewer, PAGE)
    return db.frame("""
        select feed, count(*) as files, sum(read) as read, sum(landed) as landed,
            sum(quarantined) as quarantined, sum(duplicates) as duplicates,
            sum(quarantined) / nullif(sum(read), 0) as quarantine_rate,
            bool_and(read = landed + quarantined + duplicates) as counts_conserved
        from ops.ingested_files
        group by feed order by feed""")


def quarantine_reasons(db: Warehouse, viewer: Viewer) -> pd.DataFrame:
    require_page(viewer, PAGE)
    return db.frame("""
        select feed, reason, count(*) as records, max(quarantined_at) as last_quarantined_at
        from ops.quarantine
        group by feed, reason order by records desc, feed, reason""")


def freshness(db: Warehouse, viewer: Viewer, now: dt.datetime) -> pd.DataFrame:
    """Per feed: the latest load and delivery day, hours since the load, and the status
    against the feed's freshness SLA (dbt source freshness: warn_after, error_after)."""
    require_page(viewer, PAGE)
    feeds = db.frame("""
        select feed, max(ingested_at) as last_loaded_at,
            max(try_cast(regexp_extract(source_file, '(\\d{4}-\\d{2}-\\d{2})', 1) as date))
                as last_delivery_day
        from ops.ingested_files group by feed order by feed""")
    sla = _freshness_sla(db)
    hours = (pd.Timestamp(now) - feeds["last_loaded_at"]).dt.total_seconds() / 3600
    feeds["hours_since_load"] = hours.round(1)
    feeds["warn_after_h"] = feeds["feed"].map(lambda f: sla.get(f, (None, None))[0])
    feeds["error_after_h"] = feeds["feed"].map(lambda f: sla.get(f, (None, None))[1])
    feeds["status"] = [
        "error" if error is not None and h > error else "warn" if warn is not None and h > warn
        else "ok" for h, warn, error in zip(hours, feeds["warn_after_h"],
                                            feeds["error_after_h"], strict=True)]
    return feeds


def _freshness_sla(db: Warehouse) -> dict[str, tuple[float | None, float | None]]:
    """Feed → (warn, error) hours from the sources of dbt's manifest of the last build."""
    path = db.settings.dbt_target_dir / "manifest.json"
    if not path.exists():
        return {}
    return _manifest_sla(str(path), path.stat().st_mtime)


@functools.lru_cache(maxsize=4)
def _manifest_sla(path: str, mtime: float) -> dict[str, tuple[float | None, float | None]]:
    """Parsed once per build (the manifest is megabytes; ``mtime`` keys the cache)."""
    del mtime
    sources = json.loads(Path(path).read_text("utf-8")).get("sources", {})
    return {s["name"]: (_hours(s.get("freshness", {}).get("warn_after")),
                        _hours(s.get("freshness", {}).get("error_after")))
            for s in sources.values() if s.get("source_name") == "lake"}


def _hours(limit: dict | None) -> float | None:
    if not limit or limit.get("count") is None:
        return None
    per = {"minute": 1 / 60, "hour": 1, "day": 24}[limit.get("period", "hour")]
    return float(limit["count"]) * per


def dbt_tests(db: Warehouse, viewer: Viewer) -> tuple[dict[str, int], pd.DataFrame]:
    """(tests by status, the tests that did not pass) from the last build's run_results.json."""
    require_page(viewer, PAGE)
    path = db.settings.dbt_target_dir / "run_results.json"
    if not path.exists():
        return {}, pd.DataFrame(columns=["test", "status", "failures", "message"])
    results = [r for r in json.loads(path.read_text("utf-8"))["results"]
               if r["unique_id"].startswith("test.")]
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    failing = pd.DataFrame([{"test": r["unique_id"].split(".")[2], "status": r["status"],
                             "failures": r.get("failures"), "message": r.get("message")}
                            for r in results if r["status"] != "pass"],
                           columns=["test", "status", "failures", "message"])
    return counts, failing
