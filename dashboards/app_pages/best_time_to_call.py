"""Best time to call: the ranked call windows of a collector's open cases today, and the model's
answer curves by stage and hour against the answer rates logged."""

import datetime as dt

import altair as alt
import streamlit as st

from dashboards import ui
from dashboards.queries import call_time

viewer, db = ui.page("best_time_to_call")
days = call_time.plan_dates(db, viewer)
if not days:
    st.info("No call plan yet: the call-time model scores after `workphone run`.")
    st.stop()
today = dt.date.today()
day = st.selectbox("Plan day", days, index=days.index(today) if today in days else 0)
collectors = call_time.collectors(db, viewer, day)
if collectors.empty:
    st.info(f"No open cases planned on {day} in your view.")
else:
    names = {f"{r.collector_id} ({r.cases} cases)": r.collector_id
             for r in collectors.itertuples(index=False)}
    collector = names[st.selectbox("Collector", list(names))]
    plan = call_time.recommendations(db, viewer, day, collector)
    cols = st.columns(3)
    cols[0].metric("Open cases", f"{plan['case_id'].nunique():,}")
    cols[1].metric("Planned dials", f"{len(plan):,}")
    cols[2].metric("Expected contacts",
                   ui.number(plan.groupby("case_id")["expected_contacts"].max().sum()))
    st.caption("Dial each case's windows in rank order, one dial a window; stop after the "
               "third answered call (the conduct limits hold whatever the debtor does).")
    st.dataframe(plan, hide_index=True, width="stretch",
                 column_config={"p_answer": ui.PERCENT, "p_promise": ui.PERCENT,
                                "p_reached": ui.PERCENT, "overdue_amount_cny": ui.YUAN,
                                "expected_contacts": ui.DECIMAL,
                                "expected_promises": ui.DECIMAL})

st.subheader("Answer curves by stage and hour")
curves = call_time.answer_curves(db, viewer)
long = curves.melt(id_vars=["stage", "hour"],
                   value_vars=["model_p_answer", "observed_answer_rate"],
                   var_name="series", value_name="answer_rate").dropna()
st.altair_chart(alt.Chart(long).mark_line(point=True).encode(
    x=alt.X("hour:O"), y=alt.Y("answer_rate:Q", axis=alt.Axis(format="%")),
    color="stage:N", strokeDash="series:N"), width="stretch")
st.dataframe(curves, hide_index=True, width="stretch",
             column_config={"model_p_answer": ui.PERCENT, "observed_answer_rate": ui.PERCENT})
