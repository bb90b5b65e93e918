{#- numerator / denominator, NULL when the denominator is 0 or NULL (DuckDB would give inf,
    Spark NULL: this makes both NULL). -#}
{% macro safe_divide(numerator, denominator) -%}
    case when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast(({{ numerator }}) as double) / ({{ denominator }}) end
{%- endmacro %}
