{#- Number of elements of a list column, NULL for a NULL list, as a BIGINT on every engine
    (DuckDB len; Spark array_size, since its size gives -1 for NULL with ANSI mode off). -#}
{% macro list_length(column) -%}
    {{ return(adapter.dispatch('list_length', 'workphone')(column)) }}
{%- endmacro %}

{% macro default__list_length(column) -%}
    len({{ column }})
{%- endmacro %}

{% macro spark__list_length(column) -%}
    cast(array_size({{ column }}) as bigint)
{%- endmacro %}
