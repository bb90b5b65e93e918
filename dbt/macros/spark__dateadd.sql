{#- dbt.dateadd on Spark. dbt-spark's own goes through unix seconds and to_timestamp, which give
    NULL once timestamps are TIMESTAMP_NTZ (the profile's spark.sql.timestampType: the lake's
    timestamps are local, without a time zone, like DuckDB's TIMESTAMP). -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}
