-- Each finding with its current workflow status and the hours it took to rectify, from the
-- append-only status log.
with

findings as (

    select * from {{ ref('stg_conversation__compliance_findings') }}

),

events as (

    select * from {{ ref('stg_conversation__finding_events') }}

),

last_status as (

    select
        finding_id,
        max(changed_at) as last_changed_at,
        min(case when status = 'acknowledged' then changed_at end) as acknowledged_at,
        min(case when status = 'rectified' then changed_at end) as rectified_at
    from events
    group by finding_id

),

joined as (

    select
        findings.*,
        case
            when last_status.rectified_at is not null then 'rectified'
            when last_status.acknowledged_at is not null then 'acknowledged'
            else 'open'
        end as status,
        last_status.acknowledged_at,
        last_status.rectified_at,
        {{ seconds_between('findings.detected_at', 'last_status.rectified_at') }} / 3600.0
            as hours_to_rectify
    from findings
    left join last_status on findings.finding_id = last_status.finding_id

)

select * from joined
