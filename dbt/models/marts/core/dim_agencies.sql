with

agencies as (

    select * from {{ ref('stg_lake__agencies') }}

),

employees as (

    select agency_id, count(*) as employees
    from {{ ref('stg_lake__employees') }}
    where agency_id is not null
    group by agency_id

),

final as (

    select
        agencies.agency_id,
        agencies.agency_name,
        agencies.commission_rate_m2,
        agencies.commission_rate_m3plus,
        agencies.contract_start,
        coalesce(employees.employees, 0) as employees
    from agencies
    left join employees on agencies.agency_id = employees.agency_id

)

select * from final
