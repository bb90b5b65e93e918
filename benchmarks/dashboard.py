"""Query latency of the dashboard: p50 and p95 of each page's queries and of search.

    .venv/bin/python benchmarks/dashboard.py --home DIR [--home DIR ...] [--runs 30]

Each --home is a WORKPHONE_HOME after `workphone run` (the warehouse and the search index). A
page view is what one run of the page does: open the warehouse read-only with the index
attached, then the query-layer calls of the page (its defaults, then one pick: a quarter, a
finding and its conversation, a field visit, a collector's plan, a customer), timed call by
call; its latency is their sum. Pages run as an analyst, and the pages an agency
may open also as the warehouse's first agency; evidence views run as compliance (the unmasked
path: raw captures, the unmuted recording). Between runs every pick is drawn afresh (fixed
seed) from the warehouse. Search runs --runs queries per filter kind (none, stage, agency, team,
30 days), each a 2–4 character phrase cut from a random indexed turn. One unmeasured warm-up
view of every page comes first. The viewers are named ``benchmark-*``, so the access log of
the home shows the benchmark's views for what they are.

Writes benchmarks/results/dashboard.json and dashboard.md, and prints the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from dashboards.access import Viewer
from dashboards.queries import (
    call_time,
    channels,
    collections,
    compliance,
    credit,
    evidence,
    health,
    overview,
    search,
)
from dashboards.warehouse import Warehouse
from workphone.settings import Settings

RESULTS = Path(__file__).parent / "results"
TARGET_P95_MS = 1000.0
ANALYST = Viewer("benchmark-analyst", "analyst")
COMPLIANCE = Viewer("benchmark-compliance", "compliance")


class Timer:
    """Times each named call of a page view; ``views`` collects one dict per view."""

    def __init__(self) -> None:
        self.views: list[dict[str, float]] = []

    def view(self) -> dict[str, float]:
        self.views.append({})
        return self.views[-1]

    @staticmethod
    def call(into: dict[str, float], name: str, fn: Callable, *args, **kwargs):
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        into[name] = into.get(name, 0.0) + (time.perf_counter() - started) * 1000
        return result


class Picks:
    """What a user would pick on each page, drawn from the warehouse."""

    def __init__(self, db: Warehouse, seed: int) -> None:
        self.rng = random.Random(seed)
        rows = db.rows
        self.quarters = [r[0] for r in rows(
            "select distinct quarter from marts.fct_collection_cases order by 1")]
        self.findings = [r[0] for r in rows("""select finding_id from marts.fct_compliance_findings
            where conversation_id is not null using sample 200 rows (reservoir, 1)""")]
        self.checkins = [r[0] for r in rows("""select checkin_id from marts.fct_field_visits
            using sample 200 rows (reservoir, 2)""")]
        self.customers = [r[0] for r in rows("""select customer_id from ml.credit_scores
            using sample 200 rows (reservoir, 3)""")]
        self.plan_days = [r[0] for r in rows(
            "select distinct plan_date from ml.call_time_recommendations")]
        self.agency = rows("select min(agency_id) from marts.dim_agencies")[0][0]

    def one(self, values: list):
        return self.rng.choice(values) if values else None


def page_views(picks: Picks) -> dict[str, Callable[[Warehouse, Viewer, dict], None]]:
    """Page → one view of it as ``viewer`` (the calls its page module makes)."""
    call = Timer.call

    def overview_view(db, viewer, t):
        call(t, "kpi_table", overview.kpi_table, db, viewer)
        call(t, "kpi_trends", overview.kpi_trends, db, viewer)

    def channels_view(db, viewer, t):
        quarters = call(t, "quarters", channels.quarters, db, viewer)
        quarter = picks.one(quarters)
        line = picks.one(["consumer", "auto"])
        call(t, "channel_efficiency", channels.channel_efficiency, db, viewer, line, quarter)
        call(t, "channel_history", channels.channel_efficiency, db, viewer, line)
        call(t, "product_demand", channels.product_demand, db, viewer, quarter)

    def compliance_view(db, viewer, t):
        quarter = picks.one(call(t, "quarters", compliance.quarters, db, viewer))
        if not viewer.is_agency:
            call(t, "by_line", compliance.by_line, db, viewer)
            call(t, "by_team", compliance.by_team, db, viewer, quarter)
        call(t, "regulatory_archive", compliance.regulatory_archive, db, viewer, quarter)
        call(t, "by_rep", compliance.by_rep, db, viewer, quarter)
        call(t, "queue_summary", compliance.queue_summary, db, viewer, quarter)
        queue = call(t, "queue", compliance.queue, db, viewer, None, None, quarter)
        own = list(queue.dropna(subset=["conversation_id"])["finding_id"])
        found = call(t, "finding", compliance.finding, db, viewer,
                     picks.one(own if viewer.is_agency else picks.findings) or "")
        if found and found["conversation_id"]:
            evidence_viewer = viewer if viewer.is_agency else COMPLIANCE
            call(t, "conversation", evidence.conversation, db, evidence_viewer,
                 found["conversation_id"], reason="benchmark")

    def collections_view(db, viewer, t):
        quarter = picks.one(call(t, "quarters", collections.quarters, db, viewer))
        call(t, "stage_funnel", collections.stage_funnel, db, viewer, quarter)
        if not viewer.is_agency:
            call(t, "handler_comparison", collections.handler_comparison, db, viewer, quarter)
        call(t, "agency_scorecard", collections.agency_scorecard, db, viewer, quarter)
        agents = call(t, "field_agents", collections.field_agents, db, viewer, quarter)
        call(t, "fake_visits", collections.visits, db, viewer, fake_only=True, limit=200)
        if not agents.empty:
            agent = picks.one(list(agents["employee_id"]))
            visits = call(t, "agent_visits", collections.visits, db, viewer, employee_id=agent)
            if not visits.empty:
                call(t, "visit_map", collections.visit_map, db, viewer,
                     picks.one(list(visits["checkin_id"])))

    def call_time_view(db, viewer, t):
        days = call(t, "plan_dates", call_time.plan_dates, db, viewer)
        day = picks.one(days)
        if day is not None:
            collectors = call(t, "collectors", call_time.collectors, db, viewer, day)
            if not collectors.empty:
                call(t, "recommendations", call_time.recommendations, db, viewer, day,
                     picks.one(list(collectors["collector_id"])))
        call(t, "answer_curves", call_time.answer_curves, db, viewer)

    def credit_view(db, viewer, t):
        call(t, "summary", credit.summary, db, viewer)
        call(t, "score_distribution", credit.score_distribution, db, viewer)
        call(t, "customer", credit.customer, db, viewer, picks.one(picks.customers) or "")
        call(t, "validation_report", credit.validation_report, db, viewer)

    def search_view(db, viewer, t):
        call(t, "filter_options", search.filter_options, db, viewer)

    def health_view(db, viewer, t):
        call(t, "contract_checks", health.contract_checks, db, viewer)
        call(t, "quarantine_reasons", health.quarantine_reasons, db, viewer)
        call(t, "freshness", health.freshness, db, viewer, dt.datetime.now())
        call(t, "dbt_tests", health.dbt_tests, db, viewer)

    return {"overview": overview_view, "channels": channels_view,
            "sales_compliance": compliance_view, "collections": collections_view,
            "best_time_to_call": call_time_view, "credit": credit_view,
            "search": search_view, "data_health": health_view}


def phrases(db: Warehouse, count: int, rng: random.Random) -> list[str]:
    """2–4 character runs of Chinese cut from random indexed turns (so they occur)."""
    texts = [r[0] for r in db.rows("""select text from search.turns
        using sample 2000 rows (reservoir, 4)""") if r[0]]
    out = []
    while len(out) < count and texts:
        runs = [r for r in _han_runs(rng.choice(texts)) if len(r) >= 2]
        if runs:
            run = rng.choice(runs)
            size = rng.randint(2, min(4, len(run)))
            start = rng.randint(0, len(run) - size)
            out.append(run[start:start + size])
    return out


def _han_runs(text: str) -> list[str]:
    runs, current = [], ""
    for char in text:
        if "\u4e00" <= char <= "\u9fff":
            current += char
        else:
            runs.append(current)
            current = ""
    return [*runs, current]


def search_runs(settings: Settings, runs: int, rng: random.Random, agency: str | None
                ) -> dict[str, dict]:
    """Latency of search per kind of filter: the page's run (open the warehouse, search)."""
    db = Warehouse(settings)
    teams = [r[0] for r in db.rows("select distinct team_id from marts.dim_employees")]
    last = db.rows("select max(conversation_date) from search.turns")[0][0]
    words = phrases(db, runs * 5, rng)
    search.search(db, ANALYST, words[0])                       # warm-up
    db.close()
    kinds: dict[str, Callable[[], search.SearchFilters]] = {
        "none": search.SearchFilters,
        "stage": lambda: search.SearchFilters(stage=rng.choice(["M1", "M2", "M3plus"])),
        "agency": lambda: search.SearchFilters(agency_id=agency),
        "team": lambda: search.SearchFilters(team_id=rng.choice(teams)),
        "30_days": lambda: search.SearchFilters(date_from=last - dt.timedelta(days=30),
                                                date_to=last),
    }
    out = {}
    for n, (kind, filters) in enumerate(kinds.items()):
        times, hits = [], []
        for word in words[n * runs:(n + 1) * runs]:
            chosen = filters()
            started = time.perf_counter()
            run = Warehouse(settings)
            found = search.search(run, ANALYST, word, chosen)
            run.close()
            times.append((time.perf_counter() - started) * 1000)
            hits.append(len(found))
        out[kind] = {**percentiles(times), "mean_results": round(float(np.mean(hits)), 1)}
    return out


def percentiles(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.percentile(values, 50)), 1),
            "p95_ms": round(float(np.percentile(values, 95)), 1), "n": len(values)}


def one_view(settings: Settings, view: Callable, viewer: Viewer, timings: dict) -> None:
    """A script run of the app: open the warehouse (the index attached), the page, close."""
    db = Timer.call(timings, "open", Warehouse, settings)
    try:
        view(db, viewer, timings)
    finally:
        db.close()


def measure(home: Path, runs: int, seed: int) -> dict:
    settings = Settings(home=home)
    db = Warehouse(settings)
    if not db.has_search:
        raise SystemExit(f"{home}: no search index (run `workphone dashboard index`)")
    picks = Picks(db, seed)
    db.close()                       # from here on each view opens its own, as the app does
    agency = Viewer("benchmark-agency", "agency", picks.agency) if picks.agency else None
    pages = {}
    for page, view in page_views(picks).items():
        viewers = [ANALYST] + ([agency] if agency and agency.may_open(page) else [])
        pages[page] = {}
        for viewer in viewers:
            one_view(settings, view, viewer, {})               # warm-up
            timer = Timer()
            for _ in range(runs):
                one_view(settings, view, viewer, timer.view())
            totals = [sum(v.values()) for v in timer.views]
            names = sorted({name for v in timer.views for name in v})
            pages[page][viewer.role] = {
                **percentiles(totals),
                "queries": {name: percentiles([v[name] for v in timer.views if name in v])
                            for name in names}}
    db = Warehouse(settings)
    size = {"fct_calls": db.rows("select count(*) from marts.fct_calls")[0][0],
            "fct_messages": db.rows("select count(*) from marts.fct_messages")[0][0],
            "search_turns": db.rows("select count(*) from search.turns")[0][0]}
    db.close()
    return {"home": str(home), "rows": size, "runs": runs, "pages": pages,
            "search": search_runs(settings, runs, random.Random(seed), picks.agency)}


def markdown(results: list[dict]) -> str:
    lines = ["# Dashboard query latency", "",
             f"p50 / p95 in ms over the runs; target p95 < {TARGET_P95_MS:.0f} ms. A page's "
             "figure is one view: opening the warehouse read-only (the index attached), then "
             "its queries. A search is one run of the Search page: open, tokenise, score.", ""]
    for run in results:
        rows = run["rows"]
        lines += [f"## {run['home']}", "",
                  f"{rows['fct_calls']:,} calls, {rows['fct_messages']:,} messages, "
                  f"{rows['search_turns']:,} indexed turns; {run['runs']} runs", "",
                  "| page | viewer | p50 ms | p95 ms | of which open, p95 ms | slowest query "
                  "(p95 ms) |", "|---|---|---:|---:|---:|---|"]
        for page, by_viewer in run["pages"].items():
            for role, figures in by_viewer.items():
                queries = dict(figures["queries"])
                opened = queries.pop("open")
                name, slowest = max(queries.items(), key=lambda q: q[1]["p95_ms"])
                lines.append(f"| {page} | {role} | {figures['p50_ms']} | {figures['p95_ms']} | "
                             f"{opened['p95_ms']} | {name} ({slowest['p95_ms']}) |")
        lines += ["", "| search filter | p50 ms | p95 ms | mean results |", "|---|---:|---:|---:|"]
        for kind, figures in run["search"].items():
            lines.append(f"| {kind} | {figures['p50_ms']} | {figures['p95_ms']} | "
                         f"{figures['mean_results']} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, action="append", required=True,
                        help="a WORKPHONE_HOME after `workphone run` (repeatable)")
    parser.add_argument("--runs", type=int, default=30, help="views per page and viewer")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    results = [measure(home.resolve(), args.runs, args.seed) for home in args.home]
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "platform": platform.platform()},
              "target_p95_ms": TARGET_P95_MS, "results": results}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dashboard.json").write_text(json.dumps(report, indent=2, ensure_ascii=False)
                                            + "\n", "utf-8")
    table = markdown(results)
    (RESULTS / "dashboard.md").write_text(table, "utf-8")
    print(table)


if __name__ == "__main__":
    main()
