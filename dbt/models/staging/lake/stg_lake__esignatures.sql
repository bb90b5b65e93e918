with

source as (

    select * from {{ source('lake', 'esignatures') }}

),

renamed as (

    select
        -- ids
        esign_id,
        device_id,
        employee_id,
        lead_id,
        -- personal data (tokens and masks only)
        signer_phone_token,
        signer_phone_masked,
        -- dates and timestamps
        signed_at,
        uploaded_at,
        retain_until,
        -- strings
        document_type,
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
