"""The full-text search index the dashboard reads: every transcript and chat turn, with the
attributes search filters on, built after the warehouse into ``WORKPHONE_HOME/search.duckdb``."""

import dagster as dg

from dagster_project.defs.ingestion.assets import lake_key
from dagster_project.defs.speech.assets import TRANSCRIPTS
from dagster_project.resources import WorkphoneSettings
from search_index.build import build_index

SEARCH_TURNS = dg.AssetKey(["search", "turns"])


@dg.asset(
    key=SEARCH_TURNS,
    deps=[TRANSCRIPTS, lake_key("calls"), lake_key("messages"), lake_key("employees"),
          dg.AssetKey(["marts", "fct_conversations"]), dg.AssetKey(["marts", "dim_employees"]),
          dg.AssetKey(["marts", "dim_customers"])],
    group_name="search",
    kinds={"duckdb"},
    description="One row per transcribed utterance and chat message with its conversation's "
                "medium, context, day, employee, team, agency, stage and customer type, the "
                "lineage of the captured record, and a BM25 index (DuckDB fts) over its "
                "character-bigram tokens: search.duckdb, read-only for the dashboard.",
)
def search_turns(context: dg.AssetExecutionContext,
                 workphone: WorkphoneSettings) -> dg.MaterializeResult:
    built = build_index(workphone.settings())
    context.log.info(f"search index: {built}")
    return dg.MaterializeResult(metadata=built)
