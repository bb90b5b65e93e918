with

source as (

    select * from {{ source('conversation', 'compliance_finding_events') }}

),

renamed as (

    select
        -- ids
        finding_id,
        -- strings
        status,
        previous_status,
        changed_by,
        note,
        -- timestamps
        changed_at
    from source

)

select * from renamed
