-- One row per new loan (a converted lead; the back book has no application on record): the
-- application data and bureau score known at the credit decision, the application snapshot date
-- it joins fct_customer_communication_features on, and the performance label from raw events.
-- Bad = the loan entered collections (a collection case was opened: an instalment was missed)
-- within the performance window of 100 days from disbursement, i.e. within its first three
-- instalments. The label is known once the whole window has elapsed by the last day the data
-- covers; a loan still inside its window has none (NULL), even if already in collections
-- (labelling those early bads alone would overstate the bad rate of recent loans).
{%- set performance_window_days = 100 %}
with

loans as (

    select * from {{ ref('fct_loans') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

cases as (

    select * from {{ ref('fct_collection_cases') }}

),

repayments as (

    select * from {{ ref('stg_lake__repayments') }}

),

horizon as (

    -- the last day the data covers: the latest case entry, repayment or disbursement
    select max(last_day_seen) as last_day
    from (
        select max(cast(assigned_at as date)) as last_day_seen from cases
        union all
        select max(cast(paid_at as date)) as last_day_seen from repayments
        union all
        select max(cast(disbursed_at as date)) as last_day_seen from loans
    ) as seen

),

first_cases as (

    select
        loan_id,
        min(assigned_at) as first_case_at,
        max(dpd_at_entry) as max_dpd_at_entry
    from cases
    group by loan_id

),

final as (

    select
        loans.loan_id,
        loans.customer_id,
        loans.lead_id,
        loans.business_line,
        loans.channel,
        loans.quarter,
        loans.disbursed_at,
        cast({{ dbt.dateadd('day', -1, 'cast(loans.disbursed_at as date)') }} as date)
            as application_date,
        loans.bureau_score,
        customers.stated_monthly_income,
        customers.age,
        customers.employment_type,
        loans.principal_cny,
        loans.term_months,
        loans.installment_cny,
        {{ safe_divide('loans.installment_cny', 'customers.stated_monthly_income') }}
            as installment_to_income,
        cast({{ performance_window_days }} as integer) as performance_window_days,
        cast({{ dbt.dateadd('day', performance_window_days, 'cast(loans.disbursed_at as date)') }}
            as date) as performance_end_date,
        first_cases.first_case_at,
        case
            when cast({{ dbt.dateadd('day', performance_window_days,
                                     'cast(loans.disbursed_at as date)') }} as date)
                > horizon.last_day
                then null
            when first_cases.first_case_at is not null
                and first_cases.first_case_at
                    < {{ add_interval('loans.disbursed_at', performance_window_days) }}
                then true
            else false
        end as is_bad,
        cast({{ dbt.dateadd('day', performance_window_days, 'cast(loans.disbursed_at as date)') }}
            as date) <= horizon.last_day as is_window_complete
    from loans
    left join customers on loans.customer_id = customers.customer_id
    left join first_cases on loans.loan_id = first_cases.loan_id
    cross join horizon
    where loans.lead_id is not null

)

select * from final
