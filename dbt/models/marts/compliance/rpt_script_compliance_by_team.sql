-- The team-level companion of rpt_script_compliance: the same measures per sales team, line
-- and quarter, with the findings still open and the median hours to rectify.
with

conversations as (

    select * from {{ ref('fct_conversations') }}
    where context = 'sales' and turns > 0 and team_id is not null

),

rectified as (

    {{ sales_findings_rectification('team_id') }}

),

measured as (

    select
        team_id,
        min(team_name) as team_name,
        min(business_line) as business_line,
        quarter,
        count(distinct employee_id) as sales_reps,
        {{ script_compliance_measures() }}
    from conversations
    group by team_id, quarter

),

final as (

    select
        measured.*,
        coalesce(rectified.findings, 0) as findings,
        coalesce(rectified.findings_open, 0) as findings_open,
        rectified.median_hours_to_rectify
    from measured
    left join rectified
        on measured.team_id = rectified.team_id and measured.quarter = rectified.quarter

)

select * from final
