"""Overview: the management KPI table (baseline Q1, report quarter, change) and its trends."""

from __future__ import annotations

import pandas as pd

from dashboards.access import Viewer, require_page
from dashboards.warehouse import Warehouse

PAGE = "overview"


def kpi_table(db: Warehouse, viewer: Viewer) -> pd.DataFrame:
    """One row per KPI × business line, in display order."""
    require_page(viewer, PAGE)
    return db.frame("""
        select kpi, label_zh, label_en, unit, better, business_line, baseline_quarter, q1_value,
            report_quarter, q3_value, change, relative_change
        from marts.rpt_kpi_quarterly
        order by sort_order, business_line""")


def kpi_trends(db: Warehouse, viewer: Viewer) -> pd.DataFrame:
    """Every KPI × business line × quarter with its label and unit (the trend charts)."""
    require_page(viewer, PAGE)
    return db.frame("""
        with labels as (
            select distinct kpi, label_en, label_zh, unit, sort_order
            from marts.rpt_kpi_quarterly
        )
        select k.kpi, labels.label_en, labels.label_zh, labels.unit, k.business_line,
            k.quarter, k.value
        from marts.rpt_kpi_by_quarter k
        join labels using (kpi)
        where k.value is not null
        order by labels.sort_order, k.business_line, k.quarter""")
