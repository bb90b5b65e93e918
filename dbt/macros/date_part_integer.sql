{#- A part of a date or timestamp (year, quarter, month, hour) as an INTEGER on every engine
    (extract gives BIGINT on DuckDB, INT on Spark). -#}
{% macro date_part_integer(part, column) -%}
    cast(extract({{ part }} from {{ column }}) as integer)
{%- endmacro %}
