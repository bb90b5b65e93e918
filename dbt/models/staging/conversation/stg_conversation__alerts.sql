with

source as (

    select * from {{ source('conversation', 'compliance_alerts') }}

),

renamed as (

    select
        -- ids
        finding_id,
        employee_id,
        agency_id,
        conversation_id,
        source_id,
        -- strings
        severity,
        label,
        rule_id,
        rule_version,
        team_name,
        handler_type,
        evidence,
        -- timestamps
        occurred_at,
        alerted_at
    from source

)

select * from renamed
