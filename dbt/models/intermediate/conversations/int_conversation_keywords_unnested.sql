-- One row per demand keyword or objection a customer raised in a conversation.
with

conversations as (

    select * from {{ ref('stg_conversation__conversation_features') }}

),

demands as (

    select conversation_id, 'demand' as keyword_kind, {{ explode('demand_keywords') }} as keyword
    from conversations

),

objections as (

    select conversation_id, 'objection' as keyword_kind, {{ explode('objections') }} as keyword
    from conversations

),

unioned as (

    select * from demands
    union all
    select * from objections

)

select distinct conversation_id, keyword_kind, keyword from unioned
