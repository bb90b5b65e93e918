"""Search: full-text search over every transcript and chat, filtered by stage, collector, team,
agency, customer type and date; a result opens its conversation."""

import time

import streamlit as st

from dashboards import components, ui
from dashboards.queries import evidence, search

viewer, db = ui.page("search")
if not db.has_search:
    st.info("No search index yet: build it with `workphone dashboard index` "
            "(`workphone run` does after the warehouse).")
    st.stop()
options = search.filter_options(db, viewer)
text = st.text_input("Search transcripts and chats", placeholder="提前还款").strip()
cols = st.columns(4)
stage = cols[0].selectbox("Stage", ["all", *options["stage"]])
employee = cols[1].selectbox("Collector / rep", ["all", *options["employee_id"]])
teams = {f"{name} ({team})": team for team, name in options["team"]}
team = cols[2].selectbox("Team", ["all", *teams])
agency = cols[3].selectbox("Agency", ["all", *options["agency_id"]])
cols = st.columns(4)
customer_type = cols[0].selectbox("Customer type", ["all", *options["customer_type"]])
context = cols[1].selectbox("Context", ["all", "sales", "collection"])
date_from = cols[2].date_input("From", value=None)
date_to = cols[3].date_input("To", value=None)

if text:
    filters = search.SearchFilters(
        stage=None if stage == "all" else stage,
        employee_id=None if employee == "all" else employee,
        team_id=teams.get(team), agency_id=None if agency == "all" else agency,
        customer_type=None if customer_type == "all" else customer_type,
        context=None if context == "all" else context, date_from=date_from, date_to=date_to)
    started = time.perf_counter()
    results = search.search(db, viewer, text, filters)
    seconds = time.perf_counter() - started
    st.caption(f"{len(results)} best matches in {seconds:.2f} s")
    st.dataframe(results, hide_index=True, width="stretch",
                 column_config={"score": ui.DECIMAL})
    if not results.empty:
        hits = {f"{r.conversation_id} #{r.turn_index} · {r.text[:40]}": (r.conversation_id,
                                                                         r.turn_index)
                for r in results.itertuples(index=False)}
        choice = st.selectbox("Open a conversation", ["–", *hits])
        if choice != "–":
            conversation_id, turn = hits[choice]
            view = evidence.conversation(db, viewer, conversation_id, reason=f"search {text}")
            if view is None:
                st.info("That conversation is not in your view.")
            else:
                start = view.turns.loc[view.turns["turn_index"] == turn, "start_s"]
                components.conversation(view, turn, float(start.iloc[0]) if len(start) else None,
                                        why="Match")
