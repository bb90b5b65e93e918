"""Overview: the quarterly KPI table (Q1 baseline, report quarter, change) and the trends."""

import pandas as pd
import streamlit as st

from dashboards import ui
from dashboards.queries import overview


def shown(value: float | None, unit: str) -> str:
    """A KPI value in its unit: 73.1%, ¥1,632, 12.0 h, 7.58."""
    if pd.isna(value):
        return "–"
    formats = {"rate": ui.pct, "CNY": ui.cny, "hours": lambda v: f"{v:,.1f} h"}
    return formats.get(unit, lambda v: f"{v:,.2f}")(value)


def change(value: float | None, unit: str) -> str:
    """A change: points for rates (+16.5 pt), else signed in the unit (−¥4)."""
    if pd.isna(value):
        return "–"
    if unit == "rate":
        return f"{value * 100:+.1f} pt"
    return ("+" if value >= 0 else "−") + shown(abs(value), unit)


viewer, db = ui.page("overview")
table = overview.kpi_table(db, viewer)
if table.empty:
    st.info("The KPI tables are empty: run `workphone run`.")
    st.stop()
baseline, report = table["baseline_quarter"].iloc[0], table["report_quarter"].iloc[0]

st.subheader(f"管理层季度指标 Management KPIs — {baseline} → {report}")
st.dataframe(pd.DataFrame({
    "KPI": table["label_zh"] + " " + table["label_en"],
    "line": table["business_line"].map(ui.LINES),
    baseline: [shown(v, u) for v, u in zip(table["q1_value"], table["unit"], strict=True)],
    report: [shown(v, u) for v, u in zip(table["q3_value"], table["unit"], strict=True)],
    "change": [change(v, u) for v, u in zip(table["change"], table["unit"], strict=True)],
    "relative": [ui.pct(v) for v in table["relative_change"]],
    "better": table["better"],
}), hide_index=True, width="stretch")

st.subheader("Trends by quarter")
trends = overview.kpi_trends(db, viewer)
columns = st.columns(3)
for number, (_, rows) in enumerate(trends.groupby("kpi", sort=False)):
    first = rows.iloc[0]
    with columns[number % 3]:
        st.caption(f"{first['label_zh']} {first['label_en']} ({first['unit']})")
        st.line_chart(rows.pivot(index="quarter", columns="business_line", values="value"),
                      height=180)
