with

source as (

    select * from {{ source('lake', 'collection_cases') }}

),

renamed as (

    select
        -- ids
        assignment_id,
        case_id,
        loan_id,
        agency_id,
        collector_id,
        -- numerics
        overdue_amount_cny,
        dpd_at_entry,
        -- dates and timestamps
        assigned_at,
        closed_at,
        -- strings
        stage,
        handler_type,
        close_reason,
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
