{#- One row per element of a list column, in a select list: DuckDB's unnest, Spark's explode. -#}
{% macro explode(column) -%}
    {{ return(adapter.dispatch('explode', 'workphone')(column)) }}
{%- endmacro %}

{% macro default__explode(column) -%}
    unnest({{ column }})
{%- endmacro %}

{% macro spark__explode(column) -%}
    explode({{ column }})
{%- endmacro %}
