with

source as (

    select * from {{ source('lake', 'loans') }}

),

renamed as (

    select
        -- ids
        loan_id,
        customer_id,
        lead_id,
        -- personal data (tokens and masks only)
        customer_name_token,
        customer_name_masked,
        customer_phone_token,
        customer_phone_masked,
        id_number_token,
        id_number_masked,
        bank_card_token,
        bank_card_masked,
        emergency_contact_phone_token,
        emergency_contact_phone_masked,
        -- numerics
        principal_cny,
        apr,
        term_months,
        installment_cny,
        bureau_score,
        stated_monthly_income,
        age,
        home_lat,
        home_lon,
        -- dates and timestamps
        disbursed_at,
        -- strings
        business_line,
        product,
        employment_type,
        city,
        emergency_contact_relation,
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
