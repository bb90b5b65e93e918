"""The management tables in the terminal (``workphone kpi``): each headline KPI, by business line
where it applies, in the baseline quarter (Q1 of the year) and a report quarter, with the change.

Reads ``marts.rpt_kpi_by_quarter`` and ``marts.kpi_definitions``, so any quarter can be put
against its year's Q1, not only the one ``rpt_kpi_quarterly`` was built for.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl

QUARTER = re.compile(r"^\d{4}Q[1-4]$")
LINES = {"consumer": "消费金融 consumer", "auto": "汽车金融 auto", "all": "全部 all"}


class KpiError(ValueError):
    """The warehouse cannot give the table asked for; the message says why and what to do."""


def kpi_table(warehouse: Path, quarter: str | None = None) -> pl.DataFrame:
    """One row per KPI and business line: label (Chinese and English), unit, the baseline and
    report values and the change. ``quarter`` defaults to the latest quarter with values."""
    if quarter is not None and not QUARTER.match(quarter):
        raise KpiError(f"--quarter {quarter!r}: write a quarter as YYYYQn, e.g. 2025Q3")
    if not warehouse.exists():
        raise KpiError(f"no warehouse at {warehouse}: run `workphone run` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            values = con.execute("""
                select k.kpi, k.business_line, k.quarter, k.value, d.label_zh, d.label_en,
                    d.unit, d.better, d.sort_order
                from marts.rpt_kpi_by_quarter k
                join marts.kpi_definitions d using (kpi)""").pl()
        except duckdb.CatalogException as error:
            raise KpiError(f"{warehouse} has no KPI tables ({error}); run `workphone run`"
                           ) from error
    known = sorted(values.filter(pl.col("value").is_not_null())["quarter"].unique())
    if not known:
        raise KpiError(f"{warehouse}: the KPI tables are empty")
    report = quarter or known[-1]
    if report not in known:
        raise KpiError(f"no KPI values for {report}; the warehouse has {', '.join(known)}")
    baseline = report[:4] + "Q1"
    pick = values.filter(pl.col("quarter").is_in([baseline, report]))
    table = (
        pick.group_by("kpi", "business_line", "label_zh", "label_en", "unit", "better",
                      "sort_order")
        .agg(q1_value=pl.col("value").filter(pl.col("quarter") == baseline).first(),
             q3_value=pl.col("value").filter(pl.col("quarter") == report).first())
        .with_columns(change=pl.col("q3_value") - pl.col("q1_value"),
                      baseline_quarter=pl.lit(baseline), report_quarter=pl.lit(report))
        .sort("sort_order", "business_line")
    )
    return table


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "rate":
        return f"{value:.1%}"
    if unit == "CNY":
        return f"¥{value:,.0f}"
    if unit == "hours":
        return f"{value:.1f} h"
    return f"{value:,.2f}"


def _change(row: dict) -> str:
    change, unit = row["change"], row["unit"]
    if change is None:
        return "–"
    if unit == "rate":
        text = f"{change * 100:+.1f} pt"
    elif unit == "CNY":
        text = f"{'+' if change >= 0 else '-'}¥{abs(change):,.0f}"
    else:
        text = f"{change:+,.2f}"
    if row["q1_value"]:
        text += f" ({change / abs(row['q1_value']):+.1%})"
    return text


def render(table: pl.DataFrame) -> str:
    """The table as aligned text (East Asian characters count two columns wide)."""
    from rich.console import Console
    from rich.table import Table

    baseline, report = table["baseline_quarter"][0], table["report_quarter"][0]
    out = Table(title=f"管理层季度指标 Management KPIs — {baseline} → {report}")
    for name, justify in (("指标 KPI", "left"), ("业务线 line", "left"), ("单位 unit", "left"),
                          (baseline, "right"), (report, "right"), ("变化 change", "right")):
        out.add_column(name, justify=justify)
    for row in table.iter_rows(named=True):
        out.add_row(f"{row['label_zh']} {row['label_en']}", LINES[row["business_line"]],
                    row["unit"], _value(row["q1_value"], row["unit"]),
                    _value(row["q3_value"], row["unit"]), _change(row))
    console = Console(width=140, record=True, force_terminal=False)
    with console.capture() as capture:
        console.print(out)
    return capture.get()
