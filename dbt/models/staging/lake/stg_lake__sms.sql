with

source as (

    select * from {{ source('lake', 'sms') }}

),

renamed as (

    select
        -- ids
        sms_id,
        device_id,
        employee_id,
        -- personal data (tokens and masks only)
        remote_number_token,
        remote_number_masked,
        -- dates and timestamps
        sent_at,
        uploaded_at,
        retain_until,
        -- strings
        direction,
        text,
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
