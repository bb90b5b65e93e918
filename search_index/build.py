"""Build ``search.duckdb``: one row per turn of every conversation, with the attributes search
filters on and a BM25 index over its tokens.

``turns`` (one row per transcribed utterance or chat message) carries, beside the
text: the conversation's medium, context and day; the employee's team, agency, handler type and
collection stage; the customer type (the employment type the borrower stated, ``unknown`` for a
prospect without a loan); and the lineage of the captured record (raw file and line of the chat
message, or of the call record), which is where the unmasked original of a turn lives. Rows are
ordered by conversation and turn, so a conversation's turns sit together.

``postings`` regroups the fts index's term occurrences per (term, turn) with the term frequency
and the turn's length, sorted by term: a query reads only the row groups of its own terms, where
the index's own ``match_bm25`` scans every occurrence of every term (seconds on the large world).

The index is written to a new file next to the old one and moved into place with an atomic
rename: readers holding the old file open keep reading it until they reopen.
"""

from __future__ import annotations

import os
import time

import duckdb

from conversation_analytics.conversations import has_feed, lake_relation, register_turns
from ingestion.lake_store import LakeStore
from search_index.fts import load_fts
from search_index.tokens import tokens_sql
from workphone.settings import Settings

TABLE = "turns"
POSTINGS = "postings"


def build_index(settings: Settings) -> dict[str, float | int]:
    """(Re)build the index from the lake and the warehouse marts; return what it holds."""
    started = time.monotonic()
    target = settings.search_index_path
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with duckdb.connect(str(partial)) as con:
        con.execute("set enable_progress_bar = false")
        load_fts(con)
        settings.lake_store.configure(con)
        con.execute(f"attach '{settings.warehouse_path}' as wh (read_only)")
        register_turns(con, settings.lake_store)
        con.execute(f"""create table {TABLE} as
            with lineage as ({_lineage_sql(settings.lake_store)})
            select row_number() over (order by t.conversation_id, t.turn_index) as doc_id,
                t.conversation_id, t.turn_index, t.source_id, t.speaker, t.start_s, t.end_s,
                t.text, {tokens_sql('t.text')} as tokens,
                t.medium, t.context, t.conversation_start as started_at,
                cast(t.conversation_start as date) as conversation_date,
                t.employee_id, e.team_id, e.team_name, e.agency_id, e.handler_type, e.stage,
                coalesce(cu.employment_type, 'unknown') as customer_type,
                l.source_file, l.source_line
            from conversation_turns t
            left join wh.marts.dim_employees e on e.employee_id = t.employee_id
            left join wh.marts.fct_conversations c on c.conversation_id = t.conversation_id
            left join wh.marts.dim_customers cu on cu.customer_id = c.customer_id
            left join lineage l on l.source_id = t.source_id
            order by t.conversation_id, t.turn_index""")
        con.execute(f"""pragma create_fts_index('{TABLE}', 'doc_id', 'tokens', stemmer='none',
            stopwords='none', ignore='\\s+', strip_accents=0, lower=0, overwrite=1)""")
        con.execute(f"""create table {POSTINGS} as
            select t.termid, d.name as doc_id, count(*)::integer as tf,
                any_value(d.len)::integer as doc_len
            from fts_main_{TABLE}.terms t
            join fts_main_{TABLE}.docs d using (docid)
            group by t.termid, d.name
            order by t.termid, d.name""")
        turns, conversations = con.execute(
            f"select count(*), count(distinct conversation_id) from {TABLE}").fetchone()
        terms = con.execute(f"select count(*) from fts_main_{TABLE}.dict").fetchone()[0]
        con.execute("detach wh")
    os.replace(partial, target)
    return {"turns": turns, "conversations": conversations, "terms": terms,
            "seconds": round(time.monotonic() - started, 1)}


def _lineage_sql(lake: LakeStore) -> str:
    """Raw file and line of each chat message and call record in the lake."""
    parts = [f"select {key} as source_id, _source_file as source_file, "
             f"_source_line as source_line from {lake_relation(lake, feed)}"
             for feed, key in (("messages", "message_id"), ("calls", "call_id"))
             if has_feed(lake, feed)]
    return " union all ".join(parts) or (
        "select null::varchar as source_id, null::varchar as source_file, "
        "null::bigint as source_line where false")
