-- Sales script compliance per business line and quarter: conversations checked, the share
-- compliant, violations by label and their share, the sales complaint rate and the median
-- hours to rectify a sales finding.
with

conversations as (

    select * from {{ ref('fct_conversations') }}
    where context = 'sales' and turns > 0 and business_line is not null

),

complaints as (

    select business_line, quarter, count(*) as sales_complaints
    from {{ ref('fct_complaints') }}
    where category = 'sales' and business_line is not null
    group by 1, 2

),

rectified as (

    {{ sales_findings_rectification('business_line') }}

),

measured as (

    select
        business_line,
        quarter,
        {{ script_compliance_measures() }}
    from conversations
    group by business_line, quarter

),

final as (

    select
        measured.*,
        coalesce(complaints.sales_complaints, 0) as sales_complaints,
        {{ safe_divide('coalesce(complaints.sales_complaints, 0)', 'measured.customers_contacted') }}
            as sales_complaint_rate,
        coalesce(rectified.findings, 0) as findings,
        coalesce(rectified.findings_rectified, 0) as findings_rectified,
        rectified.median_hours_to_rectify
    from measured
    left join complaints
        on measured.business_line = complaints.business_line
        and measured.quarter = complaints.quarter
    left join rectified
        on measured.business_line = rectified.business_line
        and measured.quarter = rectified.quarter

)

select * from final
