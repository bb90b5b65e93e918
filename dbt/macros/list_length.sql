{#- Number of elements of a list column (DuckDB len, Spark size). -#}
{% macro list_length(column) -%}
    {{ return(adapter.dispatch('list_length', 'workphone')(column)) }}
{%- endmacro %}

{% macro default__list_length(column) -%}
    len({{ column }})
{%- endmacro %}

{% macro spark__list_length(column) -%}
    size({{ column }})
{%- endmacro %}
