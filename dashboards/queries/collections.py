"""Collections: the stage funnel and recovery, in house against agencies with the cost per
account, the agency scorecard, field visits with their GPS tracks, and fake-visit flags.

An agency sees its own cases, scorecard and field agents only; the in-house/agency comparison
(every handler together) is refused to it.
"""

from __future__ import annotations

import math

import pandas as pd

from dashboards.access import Viewer, require_internal, require_page
from dashboards.queries.scope import Where, viewer_rows
from dashboards.warehouse import Warehouse
from ingestion.lake import Lake

PAGE = "collections"
# Minutes around a check-in in which the agent's GPS pings count (dbt var gps_window_minutes).
GPS_WINDOW_MINUTES = 45


def quarters(db: Warehouse, viewer: Viewer) -> list[str]:
    require_page(viewer, PAGE)
    where = viewer_rows(viewer, "agency_id")
    return [r[0] for r in db.rows(f"""select distinct quarter from marts.fct_collection_cases
        {where.sql} order by quarter""", where.params)]


def stage_funnel(db: Warehouse, viewer: Viewer, quarter: str | None = None) -> pd.DataFrame:
    """Per stage (M1 → M2 → M3plus): cases entering it, and over the matured ones the overdue
    and recovered amounts and the recovery rate."""
    require_page(viewer, PAGE)
    where = viewer_rows(viewer, "agency_id").equals("quarter", quarter)
    return db.frame(f"""
        select stage, count(distinct case_id) as cases,
            count(*) filter (where is_matured) as matured_cases,
            coalesce(sum(overdue_amount_cny) filter (where is_matured), 0) as overdue_amount_cny,
            coalesce(sum(recovered_amount_cny) filter (where is_matured), 0)
                as recovered_amount_cny,
            sum(recovered_amount_cny) filter (where is_matured)
                / nullif(sum(overdue_amount_cny) filter (where is_matured), 0) as recovery_rate
        from marts.fct_collection_cases
        {where.sql}
        group by stage
        order by stage""", where.params)


def handler_comparison(db: Warehouse, viewer: Viewer,
                       quarter: str | None = None) -> pd.DataFrame:
    """rpt_collection_stage: in house, agency and all per stage, with the cost per account."""
    require_page(viewer, PAGE)
    require_internal(viewer, "The in-house and agency comparison")
    where = Where().equals("quarter", quarter)
    return db.frame(f"""
        select stage, quarter, handler_type, cases, matured_cases, recovery_rate,
            complaint_rate, compliance_rate, contacts_per_handler_day, cost_per_account_cny
        from marts.rpt_collection_stage
        {where.sql}
        order by stage, quarter, handler_type""", where.params)


def agency_scorecard(db: Warehouse, viewer: Viewer, quarter: str | None = None,
                     agency_id: str | None = None) -> pd.DataFrame:
    require_page(viewer, PAGE)
    where = (viewer_rows(viewer, "agency_id").equals("quarter", quarter)
             .equals("agency_id", agency_id))
    return db.frame(f"""
        select agency_id, agency_name, quarter, cases, matured_cases, recovery_rate,
            complaint_rate, violations_per_1000_contacts, contact_compliance_rate,
            field_visits, fake_visits, fake_visit_rate, commission_coefficient
        from marts.rpt_agency_scorecard
        {where.sql}
        order by quarter, agency_id""", where.params)


def field_agents(db: Warehouse, viewer: Viewer, quarter: str | None = None) -> pd.DataFrame:
    """Per field agent: visits, fake visits and their rate, visits without GPS."""
    require_page(viewer, PAGE)
    where = viewer_rows(viewer, "agency_id").equals("quarter", quarter)
    return db.frame(f"""
        select employee_id, handler_type, agency_id, sum(visits) as visits,
            sum(fake_visits) as fake_visits, sum(fake_visits) / sum(visits) as fake_visit_rate,
            sum(visits_without_gps) as visits_without_gps,
            median(median_checkin_distance_m) as median_checkin_distance_m
        from marts.rpt_field_visits
        {where.sql}
        group by employee_id, handler_type, agency_id
        order by fake_visit_rate desc, employee_id""", where.params)


def visits(db: Warehouse, viewer: Viewer, employee_id: str | None = None,
           fake_only: bool = False, limit: int = 500) -> pd.DataFrame:
    """Check-ins, newest first, with their distances and the fake-visit flag."""
    require_page(viewer, PAGE)
    where = viewer_rows(viewer, "agency_id").equals("employee_id", employee_id)
    if fake_only:
        where.add("is_fake_visit")
    return db.frame(f"""
        select checkin_id, visit_date, checked_in_at, employee_id, agency_id, case_id, result,
            checkin_distance_m, nearest_ping_distance_m, pings_in_window, is_fake_visit
        from marts.fct_field_visits
        {where.sql}
        order by checked_in_at desc, checkin_id
        limit ?""", [*where.params, int(limit)])


def visit_map(db: Warehouse, viewer: Viewer, checkin_id: str
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A check-in against its visit address, and the agent's GPS track from the window before
    it to the window after (the pings the fake-visit rule judged it on).

    Debtors' home positions are personal data: roles without unmasked access get every point
    relative to the visit address (placed at 0°, 0°), which keeps the distances the map is read
    for and hides where anyone lives.
    """
    require_page(viewer, PAGE)
    where = viewer_rows(viewer, "agency_id").add("checkin_id = ?", checkin_id)
    checkin = db.frame(f"""
        select checkin_id, employee_id, case_id, checked_in_at, result, is_fake_visit,
            checkin_lat, checkin_lon, address_lat, address_lon, checkin_distance_m,
            nearest_ping_distance_m
        from marts.fct_field_visits {where.sql}""", where.params)
    if checkin.empty:
        return checkin, pd.DataFrame(columns=["recorded_at", "lat", "lon"])
    visit = checkin.iloc[0]
    track = _track(db, visit["employee_id"], visit["checked_in_at"])
    if not viewer.unmasked:
        checkin, track = _relative(checkin, track)
    return checkin, track


def _track(db: Warehouse, employee_id: str, at: pd.Timestamp) -> pd.DataFrame:
    """GPS pings of the agent within GPS_WINDOW_MINUTES of ``at`` (the lake's gps_pings; their
    delivery day is the day of the ping or up to a week later)."""
    lake = Lake(db.settings.lake_store)
    if not lake.has_data("gps_pings"):
        return pd.DataFrame(columns=["recorded_at", "lat", "lon"])
    window = pd.Timedelta(minutes=GPS_WINDOW_MINUTES)
    glob = lake.files_glob("gps_pings").replace("'", "''")
    return db.frame(f"""
        select recorded_at, lat, lon
        from read_parquet('{glob}', hive_partitioning = true)
        where employee_id = ? and recorded_at between ? and ? and dt between ? and ?
        order by recorded_at""",
        [employee_id, at - window, at + window, (at - window).date(),
         (at + pd.Timedelta(days=7)).date()])


def _relative(checkins: pd.DataFrame, track: pd.DataFrame
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Positions relative to the visit address (the check-in when the address is unknown)."""
    first = checkins.iloc[0]
    known = not pd.isna(first["address_lat"])
    origin_lat = first["address_lat"] if known else first["checkin_lat"]
    origin_lon = first["address_lon"] if known else first["checkin_lon"]
    squeeze = math.cos(math.radians(origin_lat))

    def shift(lat: pd.Series, lon: pd.Series) -> tuple[pd.Series, pd.Series]:
        return lat - origin_lat, (lon - origin_lon) * squeeze

    out = checkins.copy()
    out["checkin_lat"], out["checkin_lon"] = shift(out["checkin_lat"], out["checkin_lon"])
    out["address_lat"], out["address_lon"] = shift(out["address_lat"], out["address_lon"])
    moved = track.copy()
    moved["lat"], moved["lon"] = shift(moved["lat"], moved["lon"])
    return out, moved
