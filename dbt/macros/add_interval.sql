{#- timestamp + amount days or minutes, still a timestamp on every engine (dbt.dateadd by day
    gives a DATE on Spark, dropping the time of day). -#}
{% macro add_interval(timestamp, amount, unit='day') -%}
    {{ return(adapter.dispatch('add_interval', 'workphone')(timestamp, amount, unit)) }}
{%- endmacro %}

{% macro default__add_interval(timestamp, amount, unit) -%}
    ({{ timestamp }} + ({{ amount }}) * interval 1 {{ unit }})
{%- endmacro %}

{% macro spark__add_interval(timestamp, amount, unit) -%}
    {%- set arguments = {'day': '{}', 'minute': '0, 0, {}'}[unit] -%}
    ({{ timestamp }} + make_dt_interval({{ arguments.format(amount) }}))
{%- endmacro %}
