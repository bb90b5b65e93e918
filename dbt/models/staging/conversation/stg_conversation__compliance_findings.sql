with

source as (

    select * from {{ source('conversation', 'compliance_findings') }}

),

renamed as (

    select
        -- ids
        finding_id,
        conversation_id,
        source_id,
        employee_id,
        team_id,
        agency_id,
        customer_token,
        -- strings
        kind,
        medium,
        context,
        source_feed,
        label,
        rule_id,
        rule_version,
        severity,
        evidence,
        team_name,
        handler_type,
        -- numerics
        utterance_index,
        utterance_start_s,
        utterance_end_s,
        score,
        -- timestamps
        occurred_at,
        detected_at,
        dt as occurred_date
    from source

)

select * from renamed
