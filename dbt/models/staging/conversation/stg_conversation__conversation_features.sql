with

source as (

    select * from {{ source('conversation', 'conversation_features') }}

),

renamed as (

    select
        -- ids
        conversation_id,
        employee_id,
        customer_token,
        -- strings
        medium,
        context,
        intent_tag,
        pitch,
        lexicon_version,
        -- lists
        demand_keywords,
        objections,
        -- numerics
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
        promise_count,
        -- timestamps
        conversation_start as started_at,
        dt as conversation_date
    from source

)

select * from renamed
