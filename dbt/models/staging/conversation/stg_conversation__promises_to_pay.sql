with

source as (

    select * from {{ source('conversation', 'promises_to_pay') }}

),

renamed as (

    select
        -- ids
        conversation_id,
        source_id,
        customer_token,
        -- numerics
        turn_index,
        amount_cny,
        -- strings
        text,
        -- dates and timestamps
        promised_date,
        conversation_start as promised_at
    from source

)

select * from renamed
