"""Data health: contract checks, quarantine counts and reasons, freshness per feed, and the dbt
tests of the last build."""

import datetime as dt

import altair as alt
import streamlit as st

from dashboards import ui
from dashboards.queries import health

viewer, db = ui.page("data_health")

st.subheader("Contract checks per feed")
checks = health.contract_checks(db, viewer)
cols = st.columns(3)
cols[0].metric("Records read", f"{int(checks['read'].sum()):,}")
cols[1].metric("Quarantined", f"{int(checks['quarantined'].sum()):,}",
               ui.pct(checks["quarantined"].sum() / max(checks["read"].sum(), 1), 2),
               delta_color="off", delta_arrow="off")
cols[2].metric("Feeds with every record accounted for",
               f"{int(checks['counts_conserved'].sum())} of {len(checks)}")
st.dataframe(checks, hide_index=True, width="stretch",
             column_config={"quarantine_rate": ui.PERCENT})

st.subheader("Quarantine reasons")
reasons = health.quarantine_reasons(db, viewer)
if reasons.empty:
    st.caption("Nothing quarantined.")
else:
    by_feed = reasons.groupby("feed", as_index=False)["records"].sum()
    st.altair_chart(alt.Chart(by_feed).mark_bar().encode(
        x="records:Q", y=alt.Y("feed:N", sort="-x", title=None)), width="stretch")
    st.dataframe(reasons, hide_index=True, width="stretch")

st.subheader("Freshness per feed")
fresh = health.freshness(db, viewer, dt.datetime.now())
late = fresh[fresh["status"] != "ok"]
st.metric("Feeds past their freshness SLA", f"{len(late)} of {len(fresh)}")
st.dataframe(fresh, hide_index=True, width="stretch")

st.subheader("dbt tests of the last build")
counts, failing = health.dbt_tests(db, viewer)
if not counts:
    st.caption("No run_results.json from a dbt build in this home.")
else:
    cols = st.columns(max(len(counts), 1))
    for col, (status, n) in zip(cols, sorted(counts.items()), strict=False):
        col.metric(status, f"{n:,}")
    st.dataframe(failing, hide_index=True, width="stretch")
