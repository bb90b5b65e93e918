{#- '2025Q3' for a date or timestamp: the quarter key of every report. -#}
{% macro quarter_label(column) -%}
    cast(extract(year from {{ column }}) as {{ dbt.type_string() }}) || 'Q'
        || cast(extract(quarter from {{ column }}) as {{ dbt.type_string() }})
{%- endmacro %}
