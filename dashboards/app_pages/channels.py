"""Channels: acquisition share, CAC, conversion, efficiency score and ROI by channel, line and
quarter, and the 12 communication efficiency metrics."""

import altair as alt
import streamlit as st

from dashboards import ui
from dashboards.queries import channels

viewer, db = ui.page("channels")
quarters = channels.quarters(db, viewer)
if not quarters:
    st.info("rpt_channel_efficiency is empty: run `workphone run`.")
    st.stop()
left, right = st.columns(2)
line = left.selectbox("Business line", ["consumer", "auto"], format_func=ui.LINES.get)
quarter = right.selectbox("Quarter", quarters, index=len(quarters) - 1)

rows = channels.channel_efficiency(db, viewer, business_line=line, quarter=quarter)
if rows.empty:
    st.info(f"No channel figures for {ui.LINES[line]} in {quarter}.")
    st.stop()
rows["channel_name"] = rows["channel_name_zh"].fillna("") + " " + rows["channel_name_en"].fillna(
    rows["channel"])
best = rows.iloc[0]
st.metric(f"Most efficient channel, {quarter}", best["channel_name"],
          f"score {best['efficiency_score']:.0f}", delta_color="off", delta_arrow="off")
st.dataframe(
    rows[["channel_name", "leads", "customers", "customer_share", "spend_cny", "cac_cny",
          "conversion_rate", "roi", "efficiency_score"]],
    hide_index=True, width="stretch",
    column_config={"customer_share": ui.PERCENT, "conversion_rate": ui.PERCENT,
                   "spend_cny": ui.YUAN, "cac_cny": ui.YUAN, "roi": ui.PERCENT,
                   "efficiency_score": ui.DECIMAL})
st.altair_chart(alt.Chart(rows).mark_bar().encode(
    x=alt.X("efficiency_score:Q", title="efficiency score (100 = the line's average)"),
    y=alt.Y("channel_name:N", sort="-x", title=None)), width="stretch")

st.subheader("The 12 communication efficiency metrics")
metrics = rows.set_index("channel_name")[list(channels.METRICS)].rename(
    columns=channels.METRICS).T
st.dataframe(metrics, width="stretch")

st.subheader("Over the quarters")
history = channels.channel_efficiency(db, viewer, business_line=line)
history["channel_name"] = history["channel_name_en"].fillna(history["channel"])
measure = st.selectbox("Measure", ["cac_cny", "conversion_rate", "customer_share", "roi",
                                   "efficiency_score"])
st.line_chart(history.pivot(index="quarter", columns="channel_name", values=measure),
              height=260)

st.subheader(f"Product demand by city tier, {quarter}")
demand = channels.product_demand(db, viewer, quarter)
if demand.empty:
    st.caption("No demand keywords in the quarter.")
else:
    st.altair_chart(alt.Chart(demand).mark_bar().encode(
        x=alt.X("mention_share:Q", axis=alt.Axis(format="%"), title="share of conversations"),
        y=alt.Y("keyword:N", title=None), color="city_tier:N", yOffset="city_tier:N"),
        width="stretch")
