"""Best time to call: the ranked call windows of a collector's open cases on a plan day, and the
model's answer curves by stage and hour against the answer rates observed."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboards.access import Viewer, require_page
from dashboards.queries.scope import viewer_rows
from dashboards.warehouse import Warehouse

PAGE = "best_time_to_call"


def plan_dates(db: Warehouse, viewer: Viewer) -> list[dt.date]:
    require_page(viewer, PAGE)
    return [r[0] for r in db.rows(
        "select distinct plan_date from ml.call_time_recommendations order by plan_date")]


def collectors(db: Warehouse, viewer: Viewer, plan_date: dt.date) -> pd.DataFrame:
    """Collectors with cases planned on the day, with how many."""
    require_page(viewer, PAGE)
    where = viewer_rows(viewer, "c.agency_id").add("r.plan_date = ?", plan_date)
    return db.frame(f"""
        select c.collector_id, c.handler_type, c.agency_id, count(distinct r.case_id) as cases
        from ml.call_time_recommendations r
        join marts.fct_collection_cases c using (assignment_id)
        {where.sql}
        group by c.collector_id, c.handler_type, c.agency_id
        order by c.collector_id""", where.params)


def recommendations(db: Warehouse, viewer: Viewer, plan_date: dt.date,
                    collector_id: str) -> pd.DataFrame:
    """The collector's open cases that day, each with its windows in the order to dial them."""
    require_page(viewer, PAGE)
    where = (viewer_rows(viewer, "c.agency_id").add("r.plan_date = ?", plan_date)
             .add("c.collector_id = ?", collector_id))
    return db.frame(f"""
        select r.case_id, r.stage, c.dpd_at_entry, c.overdue_amount_cny,
            cu.customer_phone_masked as debtor_phone, r.rank, r.hour, r.window_start,
            r.window_end, r.p_answer, r.p_promise, r.p_reached, r.expected_contacts,
            r.expected_promises, r.model_version
        from ml.call_time_recommendations r
        join marts.fct_collection_cases c using (assignment_id)
        left join marts.fct_loans l on l.loan_id = r.loan_id
        left join marts.dim_customers cu on cu.customer_id = l.customer_id
        {where.sql}
        order by r.case_id, r.rank""", where.params)


def answer_curves(db: Warehouse, viewer: Viewer) -> pd.DataFrame:
    """Per stage and hour: the model's mean answer probability over its planned windows and the
    answer rate of the outbound collection calls logged (the viewer's agency only, for an
    agency)."""
    require_page(viewer, PAGE)
    planned = viewer_rows(viewer, "c.agency_id")
    logged = viewer_rows(viewer, "e.agency_id").add("e.stage is not null").add(
        "k.direction = 'outbound'")
    return db.frame(f"""
        with model as (
            select r.stage, r.hour, avg(r.p_answer) as model_p_answer, count(*) as windows
            from ml.call_time_recommendations r
            join marts.fct_collection_cases c using (assignment_id)
            {planned.sql}
            group by r.stage, r.hour
        ),
        observed as (
            select e.stage, k.call_hour as hour, avg(k.is_answered::int) as observed_answer_rate,
                count(*) as dials
            from marts.fct_calls k
            join marts.dim_employees e using (employee_id)
            {logged.sql}
            group by e.stage, k.call_hour
        )
        select stage, hour, model.model_p_answer, model.windows, observed.observed_answer_rate,
            observed.dials
        from model full join observed using (stage, hour)
        order by stage, hour""", [*planned.params, *logged.params])
