-- Every headline KPI per business line (or 'all' where the KPI is not by line) and quarter: the
-- long table behind rpt_kpi_quarterly and `workphone kpi --quarter`.
with

channels as (

    select
        business_line,
        quarter,
        {{ safe_divide('sum(spend_cny)', 'sum(customers)') }} as cac_cny,
        {{ safe_divide('sum(conversion_rate * leads)', 'sum(leads)') }} as conversion_rate,
        {{ safe_divide('sum(interest_income_cny) - sum(spend_cny)', 'sum(spend_cny)') }}
            as acquisition_roi
    from {{ ref('rpt_channel_efficiency') }}
    group by business_line, quarter

),

activity as (

    select
        business_line,
        quarter,
        avg(cast(effective_follow_ups as double)) as effective_follow_ups_per_rep_day
    from {{ ref('rpt_sales_activity') }}
    group by business_line, quarter

),

scripts as (

    select * from {{ ref('rpt_script_compliance') }}

),

rectify as (

    select quarter, median(hours_to_rectify) as median_hours_to_rectify
    from {{ ref('fct_compliance_findings') }}
    where kind in ('content', 'conversation') and context = 'sales'
    group by quarter

),

stages as (

    select * from {{ ref('rpt_collection_stage') }}
    where handler_type = 'all'

),

contacts as (

    select quarter, {{ safe_divide(count_where('not has_finding'), 'count(*)') }}
        as collection_compliance_rate
    from {{ ref('int_debtor_contacts_checked') }}
    group by quarter

),

agencies as (

    select
        quarter,
        {{ safe_divide('sum(complaints)', 'sum(cases)') }} as agency_complaint_rate,
        {{ safe_divide('1000 * sum(violations)', 'sum(contacts)') }}
            as agency_violations_per_1000_contacts
    from {{ ref('rpt_agency_scorecard') }}
    group by quarter

),

visits as (

    select quarter, {{ safe_divide(count_where('is_fake_visit'), 'count(*)') }} as fake_visit_rate
    from {{ ref('fct_field_visits') }}
    group by quarter

),

by_line as (

    select business_line, quarter, 'cac_cny' as kpi, cac_cny as value from channels
    union all
    select business_line, quarter, 'conversion_rate', conversion_rate from channels
    union all
    select business_line, quarter, 'acquisition_roi', acquisition_roi from channels
    union all
    select business_line, quarter, 'effective_follow_ups_per_rep_day',
        effective_follow_ups_per_rep_day from activity
    union all
    select business_line, quarter, 'sales_compliance_rate', compliance_rate from scripts
    union all
    select business_line, quarter, 'sales_complaint_rate', sales_complaint_rate from scripts

),

overall as (

    select 'all' as business_line, quarter, 'median_hours_to_rectify' as kpi,
        median_hours_to_rectify as value from rectify
    {%- for stage in var('stage_window_days') %}
    union all
    select 'all', quarter, '{{ stage | lower }}_recovery_rate', recovery_rate from stages
    where stage = '{{ stage }}'
    {%- endfor %}
    union all
    select 'all', quarter, 'collection_compliance_rate', collection_compliance_rate from contacts
    union all
    select 'all', quarter, 'agency_complaint_rate', agency_complaint_rate from agencies
    union all
    select 'all', quarter, 'agency_violations_per_1000_contacts',
        agency_violations_per_1000_contacts from agencies
    union all
    select 'all', quarter, 'fake_visit_rate', fake_visit_rate from visits

),

final as (

    select kpi, business_line, quarter, cast(value as double) as value from by_line
    union all
    select kpi, business_line, quarter, cast(value as double) as value from overall

)

select * from final
