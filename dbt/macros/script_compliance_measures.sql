{#- The measures of the sales script-compliance reports, over fct_conversations rows of sales
    conversations that had something to check (at least one turn): how many were checked, the
    share without any content or conversation-level finding, and per sales label the
    conversations it was found in and its share among the violations found. -#}
{% macro script_compliance_measures() -%}
    {%- set label_counts = [] %}
    {%- for label in var('sales_labels') %}
        {%- do label_counts.append(count_where('has_' ~ label)) %}
    {%- endfor -%}
        count(*) as conversations_checked,
        {{ count_where('not has_violation') }} as compliant_conversations,
        {{ safe_divide(count_where('not has_violation'), 'count(*)') }} as compliance_rate,
        {{ count_where('has_violation') }} as violating_conversations,
        {%- for label in var('sales_labels') %}
        {{ label_counts[loop.index0] }} as violations_{{ label }},
        {{ safe_divide(label_counts[loop.index0], label_counts | join(' + ')) }}
            as share_{{ label }},
        {%- endfor %}
        count(distinct customer_phone_token) as customers_contacted
{%- endmacro %}
