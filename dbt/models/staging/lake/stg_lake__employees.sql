with

source as (

    select * from {{ source('lake', 'employees') }}

),

renamed as (

    select
        -- ids
        employee_id,
        agency_id,
        team_id,
        device_id,
        -- personal data (tokens and masks only)
        name_token,
        name_masked,
        work_phone_token,
        work_phone_masked,
        -- dates and timestamps
        hired_at,
        -- strings
        role,
        business_line,
        stage,
        team_name,
        -- lineage
        _source_file as source_file,
        _source_line as source_line,
        _pii_key_id as pii_key_id,
        _ingested_at as ingested_at,
        _contract_version as contract_version,
        _batch_id as batch_id,
        dt as delivery_date
    from source

)

select * from renamed
