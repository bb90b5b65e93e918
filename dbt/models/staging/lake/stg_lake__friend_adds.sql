with

source as (

    select * from {{ source('lake', 'friend_adds') }}

),

renamed as (

    select
        -- ids
        event_id,
        device_id,
        employee_id,
        -- personal data (tokens and masks only)
        peer_id_token,
        peer_id_masked,
        peer_phone_token,
        peer_phone_masked,
        -- dates and timestamps
        added_at,
        uploaded_at,
        retain_until,
        -- strings
        app,
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
