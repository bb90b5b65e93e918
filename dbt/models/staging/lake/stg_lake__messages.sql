with

source as (

    select * from {{ source('lake', 'messages') }}

),

renamed as (

    select
        -- ids
        message_id,
        device_id,
        employee_id,
        -- personal data (tokens and masks only)
        peer_id_token,
        peer_id_masked,
        -- dates and timestamps
        sent_at,
        uploaded_at,
        retain_until,
        -- strings
        app,
        direction,
        msg_type,
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
