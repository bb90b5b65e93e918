-- The management table: one row per headline KPI and business line, its value in the baseline
-- quarter (Q1) and the report quarter (Q3 in the industry report), and the change. The
-- quarters come from vars kpi_baseline_quarter / kpi_report_quarter, by default the first and
-- the last quarter of the latest year with leads.
with

by_quarter as (

    select * from {{ ref('rpt_kpi_by_quarter') }}

),

definitions as (

    select * from {{ ref('kpi_definitions') }}

),

latest as (

    select max(quarter) as last_quarter from {{ ref('fct_leads') }}

),

quarters as (

    select
        {% if var('kpi_baseline_quarter') %}'{{ var('kpi_baseline_quarter') }}'
        {% else %}left(last_quarter, 4) || 'Q1'{% endif %} as baseline_quarter,
        {% if var('kpi_report_quarter') %}'{{ var('kpi_report_quarter') }}'
        {% else %}last_quarter{% endif %} as report_quarter
    from latest

),

paired as (

    select
        by_quarter.kpi,
        by_quarter.business_line,
        max(quarters.baseline_quarter) as baseline_quarter,
        max(quarters.report_quarter) as report_quarter,
        max(case when by_quarter.quarter = quarters.baseline_quarter then by_quarter.value end)
            as q1_value,
        max(case when by_quarter.quarter = quarters.report_quarter then by_quarter.value end)
            as q3_value
    from by_quarter
    cross join quarters
    group by by_quarter.kpi, by_quarter.business_line

),

final as (

    select
        paired.kpi || ':' || paired.business_line as kpi_line_id,
        paired.kpi,
        definitions.label_en,
        definitions.label_zh,
        definitions.unit,
        definitions.better,
        definitions.sort_order,
        paired.business_line,
        paired.baseline_quarter,
        paired.q1_value,
        paired.report_quarter,
        paired.q3_value,
        paired.q3_value - paired.q1_value as change,
        {{ safe_divide('paired.q3_value - paired.q1_value', 'paired.q1_value') }} as relative_change
    from paired
    inner join definitions on paired.kpi = definitions.kpi

)

select * from final
