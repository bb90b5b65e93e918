-- The ten communication risk indicators of every borrower, one row per customer and as-of date,
-- point in time: a row as of D aggregates only the events of fct_customer_communication_signals
-- dated on or before D (what was known at the end of D). As-of dates: the eve of each loan's
-- disbursement (the credit decision: application snapshot) and every month end from the first
-- disbursement to the last day the data covers (portfolio snapshots).
with

signals as (

    select * from {{ ref('fct_customer_communication_signals') }}

),

loans as (

    select * from {{ ref('fct_loans') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

horizon as (

    -- the last day the data covers: the latest signal or disbursement
    select max(last_day_seen) as last_day
    from (
        select max(event_date) as last_day_seen from signals
        union all
        select max(cast(disbursed_at as date)) as last_day_seen from loans
    ) as seen

),

application_dates as (

    select
        customer_id,
        cast({{ dbt.dateadd('day', -1, 'cast(disbursed_at as date)') }} as date) as as_of_date
    from loans
    where lead_id is not null

),

month_end_dates as (

    select
        customers.customer_id,
        dates.date_day as as_of_date
    from customers
    inner join dates
        on dates.date_day >= cast(customers.first_disbursed_at as date)
    cross join horizon
    where dates.date_day <= horizon.last_day
        and dates.date_day = {{ dbt.last_day('dates.date_day', 'month') }}

),

spine as (

    select
        customer_id,
        as_of_date,
        max(is_application) = 1 as is_application_snapshot,
        max(is_month_end) = 1 as is_month_end_snapshot
    from (
        select customer_id, as_of_date, 1 as is_application, 0 as is_month_end
        from application_dates
        union all
        select customer_id, as_of_date, 0 as is_application, 1 as is_month_end
        from month_end_dates
    ) as snapshots
    group by customer_id, as_of_date

),

known as (

    select
        spine.customer_id,
        spine.as_of_date,
        count(case when signals.event_kind = 'message' then 1 end) as customer_messages,
        count(distinct case when signals.event_kind = 'message'
            then signals.employee_id || '|' || cast(signals.event_date as string) end)
            as chat_days,
        count(distinct case when signals.context = 'sales' and signals.event_kind = 'message'
            then signals.employee_id || '|' || cast(signals.event_date as string) end)
            as sales_chat_days,
        median(signals.disclosed_income_cny) as disclosed_income_cny,
        count(signals.disclosed_income_cny) as income_disclosures,
        cast(coalesce(sum(signals.is_income_evasive), 0) as bigint) as income_evasions,
        count(signals.reply_latency_s) as replies,
        median(signals.reply_latency_s) as reply_latency_median_s,
        cast(coalesce(sum(signals.is_question), 0) as bigint) as questions,
        cast(coalesce(sum(signals.is_hostile), 0) as bigint) as hostile_messages,
        cast(coalesce(sum(signals.is_contact_change), 0) as bigint) as contact_changes,
        cast(coalesce(sum(signals.is_plan_accept), 0) as bigint) as plan_accepts,
        cast(coalesce(sum(signals.is_plan_resist), 0) as bigint) as plan_resists,
        cast(coalesce(sum(signals.is_document_promise), 0) as bigint) as document_promises,
        cast(coalesce(sum(signals.is_document_sent), 0) as bigint) as document_promises_kept,
        cast(coalesce(sum(signals.is_document_excuse), 0) as bigint) as document_promises_broken,
        cast(coalesce(sum(signals.is_complaint), 0) as bigint) as complaints,
        cast(coalesce(sum(signals.is_private_channel_request), 0) as bigint) as private_channel_requests,
        max(signals.event_at) as last_event_at
    from spine
    left join signals
        on signals.customer_id = spine.customer_id
        and signals.event_date <= spine.as_of_date
    group by spine.customer_id, spine.as_of_date

),

final as (

    select
        spine.customer_id,
        spine.as_of_date,
        spine.is_application_snapshot,
        spine.is_month_end_snapshot,
        known.customer_messages,
        known.chat_days,
        known.sales_chat_days,
        known.income_disclosures,
        known.replies,
        known.last_event_at,
        -- 1 truthful income disclosure: income stated on the application over the income the
        --   customer told the sales rep (1 = consistent; 1.3+ = overstated)
        {{ safe_divide('customers.stated_monthly_income', 'known.disclosed_income_cny') }}
            as income_overstatement_ratio,
        -- 2 cooperation with a repayment plan: share of answers to the plan that resist it
        {{ safe_divide('known.plan_resists', 'known.plan_accepts + known.plan_resists') }}
            as repayment_plan_resistance_share,
        -- 3 promises kept: share of promised documents that were sent
        {{ safe_divide('known.document_promises_kept',
                       'known.document_promises_kept + known.document_promises_broken') }}
            as promise_kept_share,
        -- 4 responsiveness: median seconds to reply to an agent message
        known.reply_latency_median_s,
        -- 5 hostility: hostile messages per customer message
        {{ safe_divide('known.hostile_messages', 'known.customer_messages') }}
            as hostility_share,
        -- 6 contact stability: changes of phone number announced per chat day
        {{ safe_divide('known.contact_changes', 'known.chat_days') }} as contact_change_rate,
        -- 7 information consistency: share of income questions dodged
        {{ safe_divide('known.income_evasions', 'known.income_evasions + known.income_disclosures') }}
            as income_evasion_share,
        -- 8 engagement: questions per chat day
        {{ safe_divide('known.questions', 'known.chat_days') }} as question_rate,
        -- 9 complaint propensity: complaints (said or registered) per chat day (or per one)
        {{ safe_divide('known.complaints', 'greatest(known.chat_days, 1)') }} as complaint_rate,
        -- 10 private channel requests: requests to leave the work phone per chat day
        {{ safe_divide('known.private_channel_requests', 'known.chat_days') }}
            as private_channel_request_rate,
        known.plan_accepts,
        known.plan_resists,
        known.document_promises,
        known.document_promises_kept,
        known.document_promises_broken,
        known.hostile_messages,
        known.contact_changes,
        known.income_evasions,
        known.questions,
        known.complaints,
        known.private_channel_requests
    from spine
    inner join known
        on spine.customer_id = known.customer_id and spine.as_of_date = known.as_of_date
    left join customers on spine.customer_id = customers.customer_id

)

select * from final
