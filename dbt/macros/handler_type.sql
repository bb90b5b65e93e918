{#- in_house or agency, from the agency id of an employee or an assignment. -#}
{% macro handler_type(agency_id) -%}
    case when {{ agency_id }} is null then 'in_house' else 'agency' end
{%- endmacro %}
