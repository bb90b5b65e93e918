{#- Rows where the condition holds, as a BIGINT on every engine (DuckDB's count_if gives a
    HUGEINT). -#}
{% macro count_where(condition) -%}
    cast(count_if({{ condition }}) as bigint)
{%- endmacro %}
