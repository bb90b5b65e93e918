with

source as (

    select * from {{ source('lake', 'calls') }}

),

renamed as (

    select
        -- ids
        call_id,
        device_id,
        employee_id,
        -- personal data (tokens and masks only)
        local_number_token,
        local_number_masked,
        remote_number_token,
        remote_number_masked,
        -- numerics
        duration_s,
        recording_duration_s,
        recording_channels,
        recording_sample_rate,
        -- dates and timestamps
        started_at,
        answered_at,
        ended_at,
        uploaded_at,
        retain_until,
        -- strings
        direction,
        recording_ref,
        recording_sha256,
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
