"""Sales compliance: the compliance rate by line, team and rep, the violation mix, and the queue
of findings with their workflow status (open → acknowledged → rectified).

The line and team reports cover every sales team of the lender, so an agency (whose staff hold
collection conversations only) is refused them; the rep table and the queue are narrowed to the
viewer's agency.
"""

from __future__ import annotations

import pandas as pd

from dashboards.access import Viewer, require_internal, require_page
from dashboards.queries.scope import Where, viewer_rows
from dashboards.warehouse import Warehouse

PAGE = "sales_compliance"
SALES_LABELS = ("rate_concealment", "intermediary_fee_hint", "false_limit_promise",
                "off_book_transaction", "abusive_language")
STATUSES = ("open", "acknowledged", "rectified")
SEVERITIES = ("critical", "high", "medium", "low")


def quarters(db: Warehouse, viewer: Viewer) -> list[str]:
    require_page(viewer, PAGE)
    where = viewer_rows(viewer, "agency_id")
    return [r[0] for r in db.rows(f"""select distinct quarter from marts.fct_compliance_findings
        {where.sql} order by quarter""", where.params)]


def by_line(db: Warehouse, viewer: Viewer) -> pd.DataFrame:
    """rpt_script_compliance: line × quarter, with the violation mix (share_<label>)."""
    require_page(viewer, PAGE)
    require_internal(viewer, "The sales compliance report")
    shares = ", ".join(f"share_{label}" for label in SALES_LABELS)
    return db.frame(f"""
        select business_line, quarter, conversations_checked, compliant_conversations,
            compliance_rate, violating_conversations, {shares}, sales_complaint_rate, findings,
            findings_rectified, median_hours_to_rectify
        from marts.rpt_script_compliance
        order by business_line, quarter""")


def by_team(db: Warehouse, viewer: Viewer, quarter: str | None = None) -> pd.DataFrame:
    require_page(viewer, PAGE)
    require_internal(viewer, "The team compliance report")
    where = Where().equals("quarter", quarter)
    return db.frame(f"""
        select team_id, team_name, business_line, quarter, sales_reps, conversations_checked,
            compliance_rate, violating_conversations, findings, findings_open,
            median_hours_to_rectify
        from marts.rpt_script_compliance_by_team
        {where.sql}
        order by quarter, compliance_rate""", where.params)


def by_rep(db: Warehouse, viewer: Viewer, quarter: str | None = None,
           business_line: str | None = None) -> pd.DataFrame:
    """Per sales rep: checked sales conversations (with turns), compliant ones and the rate,
    counted like rpt_script_compliance."""
    require_page(viewer, PAGE)
    where = (viewer_rows(viewer, "agency_id").add("context = 'sales'").add("turns > 0")
             .equals("quarter", quarter).equals("business_line", business_line))
    return db.frame(f"""
        select employee_id, team_name, business_line,
            count(*) as conversations_checked,
            count(*) filter (where not has_violation) as compliant_conversations,
            count(*) filter (where not has_violation) / count(*) as compliance_rate
        from marts.fct_conversations
        {where.sql}
        group by employee_id, team_name, business_line
        order by compliance_rate, employee_id""", where.params)


def queue(db: Warehouse, viewer: Viewer, status: str | None = None,
          severity: str | None = None, quarter: str | None = None,
          context: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Findings, newest first, with their status and hours to rectify."""
    require_page(viewer, PAGE)
    where = (viewer_rows(viewer, "agency_id").equals("status", status)
             .equals("severity", severity).equals("quarter", quarter).equals("context", context))
    return db.frame(f"""
        select finding_id, occurred_at, severity, coalesce(label, rule_id) as finding,
            context, medium, employee_id, team_name, agency_id, status, detected_at,
            acknowledged_at, rectified_at, hours_to_rectify, evidence, conversation_id
        from marts.fct_compliance_findings
        {where.sql}
        order by occurred_at desc, finding_id
        limit ?""", [*where.params, int(limit)])


def queue_summary(db: Warehouse, viewer: Viewer, quarter: str | None = None,
                  context: str | None = None) -> dict[str, float | int | None]:
    """Findings by status and the median hours to rectify the rectified ones."""
    require_page(viewer, PAGE)
    where = viewer_rows(viewer, "agency_id").equals("quarter", quarter).equals("context", context)
    row = db.rows(f"""
        select count(*) filter (where status = 'open'),
            count(*) filter (where status = 'acknowledged'),
            count(*) filter (where status = 'rectified'),
            median(hours_to_rectify) filter (where status = 'rectified')
        from marts.fct_compliance_findings {where.sql}""", where.params)[0]
    return dict(zip(("open", "acknowledged", "rectified", "median_hours_to_rectify"), row,
                    strict=True))


def finding(db: Warehouse, viewer: Viewer, finding_id: str) -> dict | None:
    """One finding the viewer may see, or None."""
    require_page(viewer, PAGE)
    where = viewer_rows(viewer, "agency_id").add("finding_id = ?", finding_id)
    found = db.frame(f"""
        select finding_id, kind, coalesce(label, rule_id) as finding, rule_id, rule_version,
            severity, score, conversation_id, medium, context, source_id, utterance_index,
            utterance_start_s, utterance_end_s, evidence, employee_id, team_name, agency_id,
            occurred_at, status, hours_to_rectify
        from marts.fct_compliance_findings {where.sql}""", where.params)
    return None if found.empty else found.iloc[0].to_dict()


def regulatory_archive(db: Warehouse, viewer: Viewer,
                       quarter: str | None = None) -> pd.DataFrame:
    """Per requirement (利率披露, 风险提示, 隐私保护) and quarter: communications filed under it
    and the share with a breach."""
    require_page(viewer, PAGE)
    where = viewer_rows(viewer, "agency_id").equals("quarter", quarter)
    return db.frame(f"""
        select requirement, requirement_zh, quarter, count(*) as communications,
            count(*) filter (where outcome = 'breach') as breaches,
            count(*) filter (where outcome = 'breach') / count(*) as breach_share
        from marts.rpt_regulatory_archive
        {where.sql}
        group by requirement, requirement_zh, quarter
        order by quarter, requirement""", where.params)
