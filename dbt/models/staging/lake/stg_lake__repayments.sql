with

source as (

    select * from {{ source('lake', 'repayments') }}

),

renamed as (

    select
        -- ids
        repayment_id,
        loan_id,
        -- numerics
        amount_cny,
        -- dates and timestamps
        paid_at,
        -- strings
        method,
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
