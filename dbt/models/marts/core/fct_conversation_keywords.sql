-- One row per demand keyword or objection a customer raised in a conversation.
with

keywords as (

    select * from {{ ref('int_conversation_keywords_unnested') }}

),

final as (

    select
        conversation_id || ':' || keyword_kind || ':' || keyword as conversation_keyword_id,
        conversation_id,
        keyword_kind,
        keyword
    from keywords

)

select * from final
