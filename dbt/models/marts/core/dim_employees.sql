with

employees as (

    select * from {{ ref('stg_lake__employees') }}

),

final as (

    select
        employee_id,
        role,
        business_line,
        stage,
        team_id,
        team_name,
        agency_id,
        {{ handler_type('agency_id') }} as handler_type,
        device_id,
        name_masked,
        work_phone_masked,
        hired_at
    from employees

)

select * from final
