-- Content and conversation-level findings of each conversation (conduct findings are about
-- metadata, not what was said, and are counted elsewhere).
with

findings as (

    select * from {{ ref('stg_conversation__compliance_findings') }}
    where kind in ('content', 'conversation') and conversation_id is not null

),

{% set labels = (var('sales_labels') + var('collection_labels')) | unique | list %}

aggregated as (

    select
        conversation_id,
        count(*) as findings,
        count(distinct label) as labels_found,
        max(case severity when 'critical' then 4 when 'high' then 3 when 'medium' then 2
            else 1 end) as max_severity_rank,
        {% for label in labels %}
        {{ count_where("label = '" ~ label ~ "'") }} > 0 as has_{{ label }}{{ ',' if not loop.last }}
        {% endfor %}
    from findings
    group by conversation_id

)

select * from aggregated
