"""Collections: the stage funnel and recovery, in house against agencies, cost per account,
the agency scorecard, field visits on a map (GPS track and check-ins against the visit address,
no map tiles) and fake-visit flags."""

import math

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st

from dashboards import ui
from dashboards.access import AccessDenied
from dashboards.queries import collections

GEOFENCE_M = 200  # the fake_visit rule's geofence around the debtor's home
MAP_HALF_WIDTH_PX = 220


def zoom_to_fit(checkin: pd.DataFrame, track: pd.DataFrame, lat: float, lon: float) -> float:
    """The web-map zoom at which every point lies within MAP_HALF_WIDTH_PX of the centre."""
    lats = [*checkin["checkin_lat"], *track["lat"]]
    lons = [*checkin["checkin_lon"], *track["lon"]]
    squeeze = math.cos(math.radians(lat))
    reach = max([GEOFENCE_M * 1.5] + [111_320 * math.hypot(a - lat, (o - lon) * squeeze)
                                      for a, o in zip(lats, lons, strict=True)])
    return max(2.0, min(17.0, math.log2(156_543 * squeeze * MAP_HALF_WIDTH_PX / reach)))


viewer, db = ui.page("collections")
quarters = collections.quarters(db, viewer)
quarter = st.selectbox("Quarter of stage entry", ["all", *quarters], index=len(quarters))
chosen = None if quarter == "all" else quarter

st.subheader("Stage funnel and recovery")
funnel = collections.stage_funnel(db, viewer, chosen)
cols = st.columns(max(len(funnel), 1))
for col, row in zip(cols, funnel.itertuples(index=False), strict=False):
    col.metric(f"{row.stage}: {row.cases:,} cases", ui.pct(row.recovery_rate),
               f"recovered {ui.cny(row.recovered_amount_cny)} of "
               f"{ui.cny(row.overdue_amount_cny)}", delta_color="off", delta_arrow="off")
if not funnel.empty:
    st.altair_chart(alt.Chart(funnel).mark_bar().encode(
        x=alt.X("stage:N", sort=["M1", "M2", "M3plus"]), y="cases:Q"), width="stretch")

try:
    handlers = collections.handler_comparison(db, viewer, chosen)
except AccessDenied as error:
    ui.denied(error)
else:
    st.subheader("In house against agencies")
    st.dataframe(handlers, hide_index=True, width="stretch",
                 column_config={"recovery_rate": ui.PERCENT, "complaint_rate": ui.PERCENT,
                                "compliance_rate": ui.PERCENT, "cost_per_account_cny": ui.YUAN,
                                "contacts_per_handler_day": ui.DECIMAL})
    st.altair_chart(alt.Chart(handlers[handlers["handler_type"] != "all"]).mark_bar().encode(
        x=alt.X("cost_per_account_cny:Q", title="cost per account (CNY)"),
        y=alt.Y("stage:N", title=None), color="handler_type:N", yOffset="handler_type:N"),
        width="stretch")

st.subheader("Agency scorecard")
st.dataframe(collections.agency_scorecard(db, viewer, chosen), hide_index=True,
             width="stretch",
             column_config={"recovery_rate": ui.PERCENT, "complaint_rate": ui.PERCENT,
                            "contact_compliance_rate": ui.PERCENT,
                            "fake_visit_rate": ui.PERCENT,
                            "violations_per_1000_contacts": ui.DECIMAL,
                            "commission_coefficient": ui.DECIMAL})

st.subheader("Field visits")
agents = collections.field_agents(db, viewer, chosen)
st.dataframe(agents, hide_index=True, width="stretch",
             column_config={"fake_visit_rate": ui.PERCENT})
st.caption("Fake-visit flags: the agent's GPS track never came inside the geofence of the "
           "visit address.")
st.dataframe(collections.visits(db, viewer, fake_only=True, limit=200), hide_index=True,
             width="stretch", column_config={"visit_date": st.column_config.DateColumn()})

if not agents.empty:
    left, right = st.columns(2)
    agent = left.selectbox("Field agent", list(agents["employee_id"]))
    agent_visits = collections.visits(db, viewer, employee_id=agent)
    labels = {f"{r.checked_in_at:%Y-%m-%d %H:%M} · {r.result} · "
              f"{'FAKE' if r.is_fake_visit else 'verified'} · {r.checkin_id}": r.checkin_id
              for r in agent_visits.itertuples(index=False)}
    picked = right.selectbox("Visit", labels)
    if picked is None:
        st.caption("No check-ins of this agent.")
        st.stop()
    checkin, track = collections.visit_map(db, viewer, labels[picked])
    if not viewer.unmasked:
        st.caption("Positions are relative to the visit address (0°, 0°): debtors' homes are "
                   "personal data.")
    visit = checkin.iloc[0]
    layers = [
        pdk.Layer("PathLayer", [{"path": track[["lon", "lat"]].values.tolist()}],
                  get_path="path", get_color=[120, 120, 120], width_min_pixels=2),
        pdk.Layer("ScatterplotLayer", track[["lon", "lat"]], get_position=["lon", "lat"],
                  get_fill_color=[120, 120, 120], radius_min_pixels=3),
        pdk.Layer("ScatterplotLayer", checkin[["checkin_lon", "checkin_lat"]],
                  get_position=["checkin_lon", "checkin_lat"], radius_min_pixels=7,
                  get_fill_color=[220, 40, 40] if visit["is_fake_visit"] else [30, 140, 60]),
    ]
    if not pd.isna(visit["address_lat"]):
        layers.append(pdk.Layer(
            "ScatterplotLayer", checkin[["address_lon", "address_lat"]],
            get_position=["address_lon", "address_lat"], get_radius=GEOFENCE_M, stroked=True,
            filled=False, get_line_color=[60, 60, 200], line_width_min_pixels=2))
    centre_lat = visit["checkin_lat"] if pd.isna(visit["address_lat"]) else visit["address_lat"]
    centre_lon = visit["checkin_lon"] if pd.isna(visit["address_lon"]) else visit["address_lon"]
    st.pydeck_chart(pdk.Deck(layers=layers, map_style=None, initial_view_state=pdk.ViewState(
        latitude=float(centre_lat), longitude=float(centre_lon),
        zoom=zoom_to_fit(checkin, track, centre_lat, centre_lon))))
    st.caption(f"Green or red: the check-in ({'fake' if visit['is_fake_visit'] else 'verified'},"
               f" {ui.number(visit['checkin_distance_m'], 0)} m from the address); blue "
               f"circle: the {GEOFENCE_M} m geofence; grey: the GPS track within "
               f"{collections.GPS_WINDOW_MINUTES} minutes ({len(track)} pings).")
