-- Field visits per field agent and day: visits checked in, how many the GPS track did not
-- support (fake), and how far check-ins and GPS tracks were from the visit addresses. The
-- per-visit detail, with coordinates for the map, is fct_field_visits.
with

visits as (

    select * from {{ ref('fct_field_visits') }}

),

final as (

    select
        employee_id,
        visit_date,
        min(quarter) as quarter,
        min(team_id) as team_id,
        min(agency_id) as agency_id,
        min(handler_type) as handler_type,
        count(*) as visits,
        {{ count_where('is_fake_visit') }} as fake_visits,
        {{ safe_divide(count_where('is_fake_visit'), 'count(*)') }} as fake_visit_rate,
        {{ count_where('not is_fake_visit') }} as verified_visits,
        {{ count_where('pings_in_window = 0') }} as visits_without_gps,
        median(checkin_distance_m) as median_checkin_distance_m,
        median(nearest_ping_distance_m) as median_nearest_ping_distance_m
    from visits
    group by employee_id, visit_date

)

select * from final
