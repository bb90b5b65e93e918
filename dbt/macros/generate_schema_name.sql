{#- Models land in the schema their folder names (staging, intermediate, marts), not in
    <target schema>_<custom schema>: the warehouse is shared with the Python stages, whose
    schemas (ops, speech, compliance, conversation) sit beside these. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
