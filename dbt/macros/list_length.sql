{#- Number of elements of a list column, as a BIGINT on every engine (DuckDB len, Spark size,
    which gives an INT). -#}
{% macro list_length(column) -%}
    {{ return(adapter.dispatch('list_length', 'workphone')(column)) }}
{%- endmacro %}

{% macro default__list_length(column) -%}
    len({{ column }})
{%- endmacro %}

{% macro spark__list_length(column) -%}
    cast(size({{ column }}) as bigint)
{%- endmacro %}
