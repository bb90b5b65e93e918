-- Borrowers: one row per customer id, with their first loan's application data. Joins to
-- conversations and calls go through customer_phone_token (a keyed hash, never the number).
with

loans as (

    select * from {{ ref('stg_lake__loans') }}

),

ranked as (

    select
        loans.*,
        row_number() over (partition by customer_id order by disbursed_at, loan_id) as loan_rank,
        count(*) over (partition by customer_id) as loans
    from loans

),

final as (

    select
        customer_id,
        customer_phone_token,
        customer_phone_masked,
        customer_name_masked,
        lead_id as first_lead_id,
        business_line as first_business_line,
        city,
        age,
        employment_type,
        stated_monthly_income,
        bureau_score,
        disbursed_at as first_disbursed_at,
        loans
    from ranked
    where loan_rank = 1

)

select * from final
