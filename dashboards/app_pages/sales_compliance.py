"""Sales compliance: the compliance rate by line, team and rep, the violation mix, the alert
queue with its workflow status and the drill-down from a finding to its conversation."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import components, ui
from dashboards.access import AccessDenied
from dashboards.queries import compliance, evidence

viewer, db = ui.page("sales_compliance")
quarters = compliance.quarters(db, viewer)
quarter = st.selectbox("Quarter", ["all", *quarters], index=len(quarters))
chosen = None if quarter == "all" else quarter

try:
    lines = compliance.by_line(db, viewer)
except AccessDenied as error:
    ui.denied(error)
else:
    st.subheader("Compliance rate by business line")
    shown = lines if chosen is None else lines[lines["quarter"] == chosen]
    cols = st.columns(max(len(shown), 1))
    for col, row in zip(cols, shown.itertuples(index=False), strict=False):
        col.metric(f"{ui.LINES[row.business_line]} {row.quarter}", ui.pct(row.compliance_rate),
                   f"{row.conversations_checked:,} checked", delta_color="off", delta_arrow="off")
    st.subheader("Violation mix")
    mix = shown.melt(id_vars=["business_line", "quarter"],
                     value_vars=[f"share_{label}" for label in compliance.SALES_LABELS],
                     var_name="label", value_name="share")
    mix["label"] = mix["label"].str.removeprefix("share_")
    mix["line_quarter"] = mix["business_line"] + " " + mix["quarter"]
    st.altair_chart(alt.Chart(mix).mark_bar().encode(
        x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share of the sales findings"),
        y=alt.Y("label:N", title=None), color="line_quarter:N", yOffset="line_quarter:N"),
        width="stretch")
    st.subheader("By team")
    st.dataframe(compliance.by_team(db, viewer, chosen), hide_index=True, width="stretch",
                 column_config={"compliance_rate": ui.PERCENT})

st.subheader("Regulatory archive")
st.dataframe(compliance.regulatory_archive(db, viewer, chosen), hide_index=True,
             width="stretch", column_config={"breach_share": ui.PERCENT})

st.subheader("By rep")
reps = compliance.by_rep(db, viewer, chosen)
if reps.empty:
    st.caption("No sales conversations in view.")
else:
    st.dataframe(reps, hide_index=True, width="stretch",
                 column_config={"compliance_rate": ui.PERCENT})

st.subheader("Alert queue")
context = st.radio("Context", ["all", "sales", "collection"], horizontal=True)
picked_context = None if context == "all" else context
summary = compliance.queue_summary(db, viewer, chosen, picked_context)
cols = st.columns(4)
cols[0].metric("Open", f"{summary['open']:,}")
cols[1].metric("Acknowledged", f"{summary['acknowledged']:,}")
cols[2].metric("Rectified", f"{summary['rectified']:,}")
cols[3].metric("Median hours to rectify", ui.number(summary["median_hours_to_rectify"]))
left, right = st.columns(2)
status = left.selectbox("Status", ["all", *compliance.STATUSES])
severity = right.selectbox("Severity", ["all", *compliance.SEVERITIES])
queue = compliance.queue(db, viewer, None if status == "all" else status,
                         None if severity == "all" else severity, chosen, picked_context)
st.dataframe(queue.drop(columns=["conversation_id"]), hide_index=True, width="stretch")

st.subheader("Finding → conversation")
openable = queue.dropna(subset=["conversation_id"])
labels = {f"{r.finding_id} · {r.finding} · {r.employee_id} · {str(r.occurred_at)[:16]}":
          r.finding_id for r in openable.itertuples(index=False)}
left, right = st.columns(2)
choice = left.selectbox("Finding in the queue", ["–", *labels])
typed = right.text_input("…or any finding by its id").strip()
finding_id = typed or labels.get(choice)
if finding_id:
    found = compliance.finding(db, viewer, finding_id)
    view = (found and found["conversation_id"]
            and evidence.conversation(db, viewer, found["conversation_id"],
                                      reason=f"finding {found['finding_id']}"))
    if not view:
        st.info("No conversation of that finding is in your view.")
    else:
        st.markdown(f"**{components.plain(found['finding'])}** ({found['severity']}, "
                    f"{found['kind']}, rule {components.plain(found['rule_id'])} "
                    f"v{found['rule_version']}) — status {found['status']}")
        start = found["utterance_start_s"]
        index = found["utterance_index"]
        components.conversation(view, None if pd.isna(index) else int(index),
                                None if pd.isna(start) else float(start))
