{#- Seconds from timestamp a to timestamp b, exact (dbt.datediff by hour or second truncates
    differently on DuckDB and Spark). -#}
{% macro seconds_between(a, b) -%}
    {{ return(adapter.dispatch('seconds_between', 'workphone')(a, b)) }}
{%- endmacro %}

{% macro default__seconds_between(a, b) -%}
    epoch({{ b }}) - epoch({{ a }})
{%- endmacro %}

{% macro spark__seconds_between(a, b) -%}
    cast(unix_micros({{ b }}) - unix_micros({{ a }}) as double) / 1000000
{%- endmacro %}
