with

source as (

    select * from {{ source('lake', 'visit_checkins') }}

),

renamed as (

    select
        -- ids
        checkin_id,
        device_id,
        employee_id,
        visit_id,
        case_id,
        -- numerics
        lat,
        lon,
        -- dates and timestamps
        checked_in_at,
        uploaded_at,
        retain_until,
        -- strings
        result,
        recording_ref,
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
