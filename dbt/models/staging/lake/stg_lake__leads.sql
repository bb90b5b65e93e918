with

source as (

    select * from {{ source('lake', 'leads') }}

),

renamed as (

    select
        -- ids
        lead_id,
        assigned_rep_id,
        -- personal data (tokens and masks only)
        name_token,
        name_masked,
        phone_token,
        phone_masked,
        id_number_token,
        id_number_masked,
        -- numerics
        city_tier,
        -- dates and timestamps
        created_at,
        -- strings
        business_line,
        channel,
        city,
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
