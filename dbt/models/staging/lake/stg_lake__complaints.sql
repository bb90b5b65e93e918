with

source as (

    select * from {{ source('lake', 'complaints') }}

),

renamed as (

    select
        -- ids
        complaint_id,
        case_id,
        lead_id,
        employee_id,
        -- dates and timestamps
        received_at,
        -- strings
        category,
        stage,
        description,
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
