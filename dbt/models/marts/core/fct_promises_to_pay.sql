-- One row per promise to pay made in a collection conversation, and whether it was kept: the
-- debtor repaid at least the promised amount (any amount when none was said) between the
-- conversation and the end of the promised day.
with

promises as (

    select * from {{ ref('stg_conversation__promises_to_pay') }}

),

conversations as (

    select conversation_id, customer_phone_token, employee_id, handler_type, agency_id
    from {{ ref('int_conversations_joined_to_customers') }}

),

loans as (

    select loan_id, customer_phone_token from {{ ref('stg_lake__loans') }}

),

repayments as (

    select * from {{ ref('stg_lake__repayments') }}

),

attributed as (

    select
        promises.*,
        conversations.customer_phone_token,
        conversations.employee_id,
        conversations.handler_type,
        conversations.agency_id
    from promises
    left join conversations on promises.conversation_id = conversations.conversation_id

),

paid as (

    select
        attributed.conversation_id,
        attributed.turn_index,
        sum(repayments.amount_cny) as paid_amount_cny,
        min(repayments.paid_at) as first_paid_at
    from attributed
    inner join loans on attributed.customer_phone_token = loans.customer_phone_token
    inner join repayments
        on loans.loan_id = repayments.loan_id
        and repayments.paid_at >= attributed.promised_at
        and repayments.paid_at < {{ add_interval('cast(attributed.promised_date as timestamp)', 1) }}
    group by attributed.conversation_id, attributed.turn_index

),

final as (

    select
        attributed.conversation_id || ':' || cast(attributed.turn_index as {{ dbt.type_string() }})
            as promise_id,
        attributed.conversation_id,
        attributed.source_id,
        attributed.turn_index,
        attributed.customer_token,
        attributed.customer_phone_token,
        attributed.employee_id,
        attributed.handler_type,
        attributed.agency_id,
        attributed.amount_cny,
        attributed.promised_at,
        attributed.promised_date,
        {{ quarter_label('attributed.promised_at') }} as quarter,
        coalesce(paid.paid_amount_cny, 0) as paid_amount_cny,
        paid.first_paid_at,
        coalesce(paid.paid_amount_cny, 0) >= coalesce(attributed.amount_cny, 0.01) as is_kept,
        text
    from attributed
    left join paid
        on attributed.conversation_id = paid.conversation_id
        and attributed.turn_index = paid.turn_index

)

select * from final
