"""The search index: tokens, BM25 scores equal to DuckDB fts's own ``match_bm25``, filters, and
the index's place after the marts in the Dagster graph."""

from __future__ import annotations

import duckdb
import pytest
from dashboard_world import USERS, dashboard_home  # noqa: F401

from dashboards.queries import search
from dashboards.warehouse import Warehouse
from search_index.fts import load_fts
from search_index.tokens import tokens_sql
from workphone.settings import Settings

ANALYST = USERS["analyst"]


@pytest.fixture(scope="module")
def db(dashboard_home):  # noqa: F811
    warehouse = Warehouse(Settings(home=dashboard_home))
    yield warehouse
    warehouse.close()


@pytest.mark.parametrize("text, tokens", [
    ("喂，您好，这里是华信 APR 36%", "喂 您好 这里 里是 是华 华信 apr 36"),
    ("我的手机号是[手机号]", "我的 的手 手机 机号 号是 手机 机号"),
    ("好", "好"),
    ("!!!", ""),
])
def test_tokens_are_bigrams_of_chinese_runs_and_lowercase_words(text, tokens):
    with duckdb.connect() as con:
        assert con.execute(f"select {tokens_sql('?')}", [text]).fetchone()[0] == tokens


def test_scores_are_the_fts_extensions_bm25(db, dashboard_home):  # noqa: F811
    ours = search.search(db, ANALYST, "还钱")
    with duckdb.connect(str(Settings(home=dashboard_home).search_index_path),
                        read_only=True) as con:
        load_fts(con)
        theirs = con.execute("""
            select conversation_id, turn_index, score from (
                select *, fts_main_turns.match_bm25(doc_id, '还钱', conjunctive := 1) as score
                from turns)
            where score is not null order by score desc""").fetchall()
    assert len(theirs) == 3
    assert [(c, t) for c, t, _ in theirs] == list(zip(ours["conversation_id"],
                                                      ours["turn_index"], strict=True))
    assert list(ours["score"]) == pytest.approx([s for _, _, s in theirs])


def test_every_term_must_occur(db):
    assert set(search.search(db, ANALYST, "利息")["turn_index"]) == {0, 1}
    assert search.search(db, ANALYST, "利息 还钱").empty


def test_redacted_numbers_can_be_searched_for(db):
    hits = search.search(db, ANALYST, "手机号")
    assert set(zip(hits["conversation_id"], hits["turn_index"], strict=True)) == {
        ("chat:MSG000000001", 2), ("call:CALL000000001", 2)}
    assert "13812345678" not in "".join(hits["text"])


@pytest.mark.parametrize("filters, conversations", [
    (search.SearchFilters(stage="M2"), {"call:CALL000000001", "chat:MSG000000011"}),
    (search.SearchFilters(customer_type="gig_worker"), {"chat:MSG000000011"}),
    (search.SearchFilters(team_id="T020"), {"call:CALL000000001"}),
    (search.SearchFilters(employee_id="E00030"), {"chat:MSG000000011"}),
    (search.SearchFilters(context="sales"), set()),
    (search.SearchFilters(date_from=search.dt.date(2025, 8, 2)), set()),
    (search.SearchFilters(date_from=search.dt.date(2025, 8, 1),
                          date_to=search.dt.date(2025, 8, 1)),
     {"call:CALL000000001", "chat:MSG000000011"}),
])
def test_filters_narrow_the_matches(db, filters, conversations):
    assert set(search.search(db, ANALYST, "还钱", filters)["conversation_id"]) == conversations


def test_the_index_is_built_after_the_marts_it_reads():
    from dagster_project.defs.search.assets import search_turns

    upstream = {k.to_user_string() for k in search_turns.dependency_keys}
    assert {"marts/fct_conversations", "marts/dim_employees", "marts/dim_customers",
            "lake/messages", "lake/calls", "lake/transcripts"} <= upstream
