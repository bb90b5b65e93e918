{#- Sales findings (content and conversation level) per `group_column` and quarter: how many,
    how many still open, how many rectified, and the median hours to rectify. Shared by the
    line-level and the team-level script compliance reports. -#}
{% macro sales_findings_rectification(group_column) -%}
    select
        {{ group_column }},
        quarter,
        count(*) as findings,
        {{ count_where("status = 'open'") }} as findings_open,
        {{ count_where("status = 'rectified'") }} as findings_rectified,
        median(hours_to_rectify) as median_hours_to_rectify
    from {{ ref('fct_compliance_findings') }}
    where context = 'sales' and kind in ('content', 'conversation')
    group by 1, 2
{%- endmacro %}
