with

employees as (

    select * from {{ ref('stg_lake__employees') }}

),

final as (

    select
        team_id,
        min(team_name) as team_name,
        min(business_line) as business_line,
        min(stage) as stage,
        min(agency_id) as agency_id,
        {{ handler_type('min(agency_id)') }} as handler_type,
        count(*) as employees,
        {{ count_where("role = 'sales_rep'") }} as sales_reps,
        {{ count_where("role in ('collector', 'field_agent')") }} as collectors,
        {{ count_where("role = 'ai_dialer'") }} as ai_dialers
    from employees
    group by team_id

)

select * from final
