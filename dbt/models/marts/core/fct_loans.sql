-- One row per disbursed loan, with the acquisition channel of its lead and the interest it
-- earns over its term (the revenue side of acquisition ROI).
with

loans as (

    select * from {{ ref('stg_lake__loans') }}

),

leads as (

    select lead_id, business_line, channel from {{ ref('stg_lake__leads') }}

),

final as (

    select
        loans.loan_id,
        loans.customer_id,
        loans.lead_id,
        loans.business_line,
        leads.channel,
        leads.business_line || ':' || leads.channel as channel_key,
        loans.product,
        loans.principal_cny,
        loans.apr,
        loans.term_months,
        loans.installment_cny,
        loans.installment_cny * loans.term_months - loans.principal_cny as interest_income_cny,
        loans.disbursed_at,
        {{ quarter_label('loans.disbursed_at') }} as quarter,
        loans.bureau_score,
        loans.city
    from loans
    left join leads on loans.lead_id = leads.lead_id

)

select * from final
