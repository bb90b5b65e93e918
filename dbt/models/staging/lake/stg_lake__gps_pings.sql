with

source as (

    select * from {{ source('lake', 'gps_pings') }}

),

renamed as (

    select
        -- ids
        ping_id,
        device_id,
        employee_id,
        -- numerics
        lat,
        lon,
        accuracy_m,
        -- dates and timestamps
        recorded_at,
        uploaded_at,
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
