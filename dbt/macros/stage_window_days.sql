{#- Days a case stays in its stage (var stage_window_days), as a SQL expression. -#}
{% macro stage_window_days(stage) -%}
    case {{ stage }}
    {%- for stage_name, days in var('stage_window_days').items() %}
        when '{{ stage_name }}' then {{ days }}
    {%- endfor %}
    end
{%- endmacro %}
