{#- ISO day of week as an INTEGER, 1 = Monday … 7 = Sunday, the same on every engine (DuckDB's
    dayofweek is 0–6 from Sunday, Spark's 1–7 from Sunday). -#}
{% macro iso_day_of_week(column) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'workphone')(column)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(column) -%}
    cast(isodow({{ column }}) as integer)
{%- endmacro %}

{% macro spark__iso_day_of_week(column) -%}
    cast(((dayofweek({{ column }}) + 5) % 7) + 1 as integer)
{%- endmacro %}
