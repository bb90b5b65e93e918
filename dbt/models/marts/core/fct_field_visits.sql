-- One row per field-visit check-in: where the agent checked in, how far that and the agent's
-- nearest GPS ping (within var gps_window_minutes of the check-in) were from the debtor's
-- address, and whether the conduct engine judged it a fake visit.
with

checkins as (

    select * from {{ ref('stg_lake__visit_checkins') }}

),

cases as (

    select case_id, min(loan_id) as loan_id from {{ ref('stg_lake__collection_cases') }}
    group by case_id

),

loans as (

    select loan_id, home_lat, home_lon from {{ ref('stg_lake__loans') }}

),

pings as (

    select * from {{ ref('stg_lake__gps_pings') }}

),

employees as (

    select employee_id, agency_id, team_id from {{ ref('stg_lake__employees') }}

),

fake as (

    select distinct source_id as checkin_id
    from {{ ref('stg_conversation__compliance_findings') }}
    where label = 'fake_visit'

),

located as (

    select
        checkins.*,
        loans.home_lat as address_lat,
        loans.home_lon as address_lon
    from checkins
    left join cases on checkins.case_id = cases.case_id
    left join loans on cases.loan_id = loans.loan_id

),

nearest_ping as (

    select
        located.checkin_id,
        min({{ distance_m('pings.lat', 'pings.lon', 'located.address_lat',
                          'located.address_lon') }}) as nearest_ping_distance_m,
        count(*) as pings_in_window
    from located
    inner join pings
        on located.employee_id = pings.employee_id
        and pings.recorded_at >= {{ add_interval('located.checked_in_at',
                                                 -var('gps_window_minutes'), 'minute') }}
        and pings.recorded_at <= {{ add_interval('located.checked_in_at',
                                                 var('gps_window_minutes'), 'minute') }}
    group by located.checkin_id

),

final as (

    select
        located.checkin_id,
        located.visit_id,
        located.case_id,
        located.employee_id,
        employees.team_id,
        employees.agency_id,
        {{ handler_type('employees.agency_id') }} as handler_type,
        located.checked_in_at,
        cast(located.checked_in_at as date) as visit_date,
        {{ quarter_label('located.checked_in_at') }} as quarter,
        located.result,
        located.lat as checkin_lat,
        located.lon as checkin_lon,
        located.address_lat,
        located.address_lon,
        {{ distance_m('located.lat', 'located.lon', 'located.address_lat',
                      'located.address_lon') }} as checkin_distance_m,
        nearest_ping.nearest_ping_distance_m,
        coalesce(nearest_ping.pings_in_window, 0) as pings_in_window,
        fake.checkin_id is not null as is_fake_visit,
        located.recording_ref
    from located
    left join employees on located.employee_id = employees.employee_id
    left join nearest_ping on located.checkin_id = nearest_ping.checkin_id
    left join fake on located.checkin_id = fake.checkin_id

)

select * from final
