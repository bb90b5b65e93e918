with

source as (

    select * from {{ source('lake', 'marketing_spend') }}

),

renamed as (

    select
        -- numerics
        spend_cny,
        impressions,
        clicks,
        -- dates and timestamps
        date as spend_date,
        -- strings
        business_line,
        channel,
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
