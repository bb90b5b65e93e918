-- One row per lead, with whether and when it became a customer (its first loan).
with

leads as (

    select * from {{ ref('stg_lake__leads') }}

),

first_loans as (

    select
        lead_id,
        min(disbursed_at) as converted_at,
        count(*) as loans
    from {{ ref('stg_lake__loans') }}
    where lead_id is not null
    group by lead_id

),

final as (

    select
        leads.lead_id,
        leads.business_line,
        leads.channel,
        leads.business_line || ':' || leads.channel as channel_key,
        leads.created_at,
        cast(leads.created_at as date) as created_date,
        {{ quarter_label('leads.created_at') }} as quarter,
        leads.city,
        leads.city_tier,
        leads.assigned_rep_id,
        leads.phone_token,
        leads.phone_masked,
        first_loans.lead_id is not null as is_converted,
        first_loans.converted_at,
        coalesce(first_loans.loans, 0) as loans
    from leads
    left join first_loans on leads.lead_id = first_loans.lead_id

)

select * from final
