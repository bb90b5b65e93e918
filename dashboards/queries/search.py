"""Search: BM25 full-text search over every transcript and chat turn, filtered by stage,
collector, team, agency, customer type and date.

The query is tokenised by the index's own SQL expression (``search_index.tokens``); every token
must occur in a turn (Chinese bigrams: the words in that order, give or take). Scoring reads the
postings of the query's terms only, keeps the turns that pass the filters and the viewer's rule,
and fetches the text of the best ``limit`` (Okapi BM25, k1 = 1.2, b = 0.75, as DuckDB's
``match_bm25``, whose scores these are).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboards.access import Viewer, require_page
from dashboards.queries.scope import Where, viewer_rows
from dashboards.warehouse import Warehouse
from search_index.tokens import tokens_sql

PAGE = "search"
K1, B = 1.2, 0.75
MAX_RESULTS = 200
CUSTOMER_TYPES = ("salaried", "self_employed", "business_owner", "gig_worker", "unknown")


class SearchUnavailable(RuntimeError):
    """No search index has been built for this warehouse."""


@dataclass(frozen=True)
class SearchFilters:
    stage: str | None = None
    employee_id: str | None = None
    team_id: str | None = None
    agency_id: str | None = None
    customer_type: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    context: str | None = None


def query_terms(db: Warehouse, text: str) -> list[str]:
    tokens = db.rows(f"select {tokens_sql('?')}", [text])[0][0]
    return sorted(set(tokens.split())) if tokens else []


def search(db: Warehouse, viewer: Viewer, text: str, filters: SearchFilters | None = None,
           limit: int = 50) -> pd.DataFrame:
    """The best-scoring turns for ``text`` (best first); the search is logged."""
    require_page(viewer, PAGE)
    filters = filters or SearchFilters()
    if not db.has_search:
        raise SearchUnavailable(f"no search index at {db.settings.search_index_path}: build it "
                                "with `workphone dashboard index` (or `workphone run`)")
    terms = query_terms(db, text)
    results = _empty() if not terms else _run(db, viewer, terms, filters,
                                              max(1, min(int(limit), MAX_RESULTS)))
    db.log(viewer, "search", text, filters={k: str(v) for k, v in vars(filters).items()
                                            if v is not None}, results=len(results))
    return results


def _filters(viewer: Viewer, filters: SearchFilters) -> Where:
    return (viewer_rows(viewer, "t.agency_id")
            .equals("t.stage", filters.stage).equals("t.employee_id", filters.employee_id)
            .equals("t.team_id", filters.team_id).equals("t.agency_id", filters.agency_id)
            .equals("t.customer_type", filters.customer_type)
            .equals("t.context", filters.context)
            .between("t.conversation_date", filters.date_from, filters.date_to))


def _run(db: Warehouse, viewer: Viewer, terms: list[str], filters: SearchFilters,
         limit: int) -> pd.DataFrame:
    where = _filters(viewer, filters)
    narrowed = f"join search.turns t on t.doc_id = s.doc_id {where.sql}" if where.sql else ""
    return db.frame(f"""
        with q as (
            select termid, log((s.num_docs - df + 0.5) / (df + 0.5) + 1) as idf
            from search.fts_main_turns.dict, search.fts_main_turns.stats s
            where term in (select unnest(?::varchar[]))
        ),
        scored as (
            select p.doc_id,
                sum(q.idf * p.tf * ({K1} + 1)
                    / (p.tf + {K1} * (1 - {B} + {B} * p.doc_len / st.avgdl))) as score
            from search.postings p
            join q using (termid)
            cross join search.fts_main_turns.stats st
            where p.termid in (select termid from q)
            group by p.doc_id
            having count(*) = ?
        ),
        best as (
            select s.doc_id, s.score from scored s {narrowed}
            order by s.score desc, s.doc_id limit ?
        )
        select t.conversation_id, t.turn_index, t.started_at, t.conversation_date, t.medium,
            t.context, t.speaker, t.text, t.employee_id, t.team_name, t.agency_id, t.stage,
            t.customer_type, best.score
        from best join search.turns t on t.doc_id = best.doc_id
        order by best.score desc, t.doc_id""", [terms, len(terms), *where.params, limit])


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["conversation_id", "turn_index", "started_at",
                                 "conversation_date", "medium", "context", "speaker", "text",
                                 "employee_id", "team_name", "agency_id", "stage",
                                 "customer_type", "score"])


def filter_options(db: Warehouse, viewer: Viewer) -> dict[str, list]:
    """The values each filter offers, within the viewer's agency."""
    require_page(viewer, PAGE)
    where = viewer_rows(viewer, "agency_id")
    employees = db.frame(f"""select employee_id, role, team_id, team_name, agency_id, stage
        from marts.dim_employees {where.sql} order by employee_id""", where.params)
    return {
        "stage": sorted(employees["stage"].dropna().unique()),
        "employee_id": list(employees["employee_id"]),
        "team": sorted(employees.dropna(subset=["team_id"])[["team_id", "team_name"]]
                       .drop_duplicates().itertuples(index=False, name=None)),
        "agency_id": sorted(employees["agency_id"].dropna().unique()),
        "customer_type": list(CUSTOMER_TYPES),
    }
