-- Every touch of a sales rep with a prospect: a call (dialled or received; effective when
-- answered) or a chat conversation (effective when the customer wrote back).
with

reps as (

    select employee_id, business_line, team_id
    from {{ ref('dim_employees') }}
    where role = 'sales_rep'

),

calls as (

    select
        'call:' || calls.call_id as touch_id,
        calls.employee_id,
        'call' as medium,
        calls.direction,
        calls.started_at as touched_at,
        calls.is_answered as is_effective
    from {{ ref('fct_calls') }} as calls
    inner join reps on calls.employee_id = reps.employee_id

),

chats as (

    select
        conversations.conversation_id as touch_id,
        conversations.employee_id,
        'chat' as medium,
        cast(null as {{ dbt.type_string() }}) as direction,
        conversations.started_at as touched_at,
        conversations.customer_turns > 0 as is_effective
    from {{ ref('fct_conversations') }} as conversations
    inner join reps on conversations.employee_id = reps.employee_id
    where conversations.medium = 'chat'

),

unioned as (

    select * from calls
    union all
    select * from chats

),

final as (

    select
        unioned.*,
        reps.business_line,
        reps.team_id,
        cast(unioned.touched_at as date) as touch_date,
        {{ quarter_label('unioned.touched_at') }} as quarter,
        {{ date_part_integer('hour', 'unioned.touched_at') }} as touch_hour,
        {{ iso_day_of_week('unioned.touched_at') }} as iso_day_of_week
    from unioned
    inner join reps on unioned.employee_id = reps.employee_id

)

select * from final
