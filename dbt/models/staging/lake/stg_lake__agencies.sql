with

source as (

    select * from {{ source('lake', 'agencies') }}

),

renamed as (

    select
        -- ids
        agency_id,
        -- numerics
        commission_rate_m2,
        commission_rate_m3plus,
        -- dates and timestamps
        contract_start,
        -- strings
        agency_name,
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
