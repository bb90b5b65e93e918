with

source as (

    select * from {{ source('ops', 'quarantine') }}

),

renamed as (

    select
        -- ids
        batch_id,
        -- strings
        feed,
        source_file,
        source_sha256,
        reason,
        payload_encrypted,
        contract_version,
        -- numerics
        source_line,
        -- timestamps
        quarantined_at
    from source

)

select * from renamed
