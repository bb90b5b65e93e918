{#- Config of a fact rebuilt incrementally by delivery day: each run replaces the delivery days
    it reads (delete+insert on DuckDB, insert_overwrite of the partitions on Spark), so a rerun
    of a day never duplicates it. -#}
{% macro incremental_by_delivery_day() -%}
    {% if target.type == 'spark' %}
        {{ return({'materialized': 'incremental', 'incremental_strategy': 'insert_overwrite',
                   'partition_by': ['delivery_date'], 'file_format': 'parquet'}) }}
    {% else %}
        {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert',
                   'unique_key': 'delivery_date'}) }}
    {% endif %}
{%- endmacro %}

{#- The filter of an incremental run: the last delivery day already built and every later one. -#}
{% macro new_delivery_days(column='delivery_date') -%}
    {% if is_incremental() %}
        where {{ column }} >= (select max(delivery_date) from {{ this }})
    {% endif %}
{%- endmacro %}
