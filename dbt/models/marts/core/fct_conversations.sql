-- One row per conversation (a transcribed call or a chat session) with its features, the
-- customer and lead behind it, and whether the compliance engine found a violation in it.
with

conversations as (

    select * from {{ ref('int_conversations_joined_to_customers') }}

),

final as (

    select
        conversation_id,
        medium,
        context,
        started_at,
        conversation_date,
        quarter,
        employee_id,
        employee_role,
        team_id,
        team_name,
        business_line,
        handler_type,
        agency_id,
        customer_token,
        customer_phone_token,
        lead_id,
        channel,
        city_tier,
        customer_id,
        turns,
        agent_turns,
        customer_turns,
        agent_talk_s,
        customer_talk_s,
        talk_listen_ratio,
        silence_s,
        silence_share,
        interruptions,
        first_response_s,
        rounds,
        hostility_score,
        intent_tag,
        pitch,
        coalesce({{ list_length('demand_keywords') }}, 0) as demand_keyword_count,
        coalesce({{ list_length('objections') }}, 0) as objection_count,
        promise_count,
        findings,
        has_violation
        {%- for label in (var('sales_labels') + var('collection_labels')) | unique %},
        has_{{ label }}
        {%- endfor %}
    from conversations

)

select * from final
