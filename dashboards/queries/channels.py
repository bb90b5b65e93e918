"""Channels: acquisition share, CAC, conversion, ROI and the efficiency score by line × channel
× quarter, and the 12 communication efficiency metrics."""

from __future__ import annotations

import pandas as pd

from dashboards.access import Viewer, require_page
from dashboards.queries.scope import Where
from dashboards.warehouse import Warehouse

PAGE = "channels"

# The 12 efficiency metrics of rpt_channel_efficiency, in the report's order, with their labels.
METRICS = {
    "avg_first_response_s": "1 首次响应 first response (s)",
    "quick_response_share": "2 5分钟内响应 answered within 5 min",
    "avg_rounds": "3 沟通轮次 rounds",
    "avg_turns": "4 对话轮数 turns",
    "demand_keywords_per_conversation": "5 需求关键词/会话 demand keywords per conversation",
    "demand_keyword_rate": "6 含需求关键词 conversations with a demand keyword",
    "high_intent_share": "7 高意向 high intent",
    "wait_and_see_share": "8 观望 wait and see",
    "objection_rate": "9 异议 objections",
    "low_rate_pitch_share": "10 低息分期话术 low-rate pitch",
    "avg_hostility_score": "11 负面情绪 hostility (0–1)",
    "conversations_per_lead": "12 会话/线索 conversations per lead",
}


def quarters(db: Warehouse, viewer: Viewer) -> list[str]:
    require_page(viewer, PAGE)
    return [r[0] for r in db.rows(
        "select distinct quarter from marts.rpt_channel_efficiency order by quarter")]


def channel_efficiency(db: Warehouse, viewer: Viewer, business_line: str | None = None,
                       quarter: str | None = None) -> pd.DataFrame:
    """One row per line × channel × quarter with the channel's display names."""
    require_page(viewer, PAGE)
    where = (Where().equals("e.business_line", business_line).equals("e.quarter", quarter))
    metrics = ", ".join(f"e.{m}" for m in METRICS)
    return db.frame(f"""
        select e.business_line, e.channel, c.channel_name_zh, c.channel_name_en, e.quarter,
            e.leads, e.customers, e.customer_share, e.spend_cny, e.cac_cny, e.conversion_rate,
            e.interest_income_cny, e.roi, e.efficiency_score, e.sales_conversations, {metrics}
        from marts.rpt_channel_efficiency e
        left join marts.dim_channels c
            on c.business_line = e.business_line and c.channel = e.channel
        {where.sql}
        order by e.business_line, e.quarter, e.efficiency_score desc""", where.params)


def product_demand(db: Warehouse, viewer: Viewer, quarter: str | None = None) -> pd.DataFrame:
    """What customers asked for: demand keyword × city tier, mention share and its change."""
    require_page(viewer, PAGE)
    where = Where().equals("quarter", quarter)
    return db.frame(f"""
        select keyword, city_tier, quarter, mentions, sales_conversations, mention_share,
            mentions_qoq_change
        from marts.rpt_product_demand
        {where.sql}
        order by quarter, city_tier, mentions desc""", where.params)
