-- Every conversation with who held it (employee, team, line, handler), the customer behind it
-- (phone token, lead, acquisition channel, loan customer) and its compliance findings.
with

conversations as (

    select * from {{ ref('stg_conversation__conversation_features') }}

),

employees as (

    select * from {{ ref('stg_lake__employees') }}

),

peers as (

    select * from {{ ref('int_chat_peers_resolved') }}

),

leads as (

    select * from {{ ref('stg_lake__leads') }}

),

customers as (

    select
        customer_phone_token,
        min(customer_id) as customer_id
    from {{ ref('stg_lake__loans') }}
    group by customer_phone_token

),

findings as (

    select * from {{ ref('int_findings_aggregated_to_conversations') }}

),

joined as (

    select
        conversations.*,
        {{ quarter_label('conversations.started_at') }} as quarter,
        case when conversations.medium = 'chat' then peers.phone_token
            else conversations.customer_token end as customer_phone_token,
        employees.role as employee_role,
        coalesce(employees.business_line, leads.business_line) as business_line,
        employees.stage as employee_stage,
        employees.team_id,
        employees.team_name,
        employees.agency_id,
        {{ handler_type('employees.agency_id') }} as handler_type,
        leads.lead_id,
        leads.channel,
        leads.city_tier,
        customers.customer_id,
        coalesce(findings.findings, 0) as findings,
        coalesce(findings.findings, 0) > 0 as has_violation,
        findings.max_severity_rank
        {%- for label in (var('sales_labels') + var('collection_labels')) | unique %},
        coalesce(findings.has_{{ label }}, false) as has_{{ label }}
        {%- endfor %}
    from conversations
    left join employees on conversations.employee_id = employees.employee_id
    -- An equality on both sides (NULL for a call, which matches nothing) is a hash join; with
    -- the medium test beside it in the condition, it was a nested loop over all pairs.
    left join peers
        on peers.peer_id_token = case when conversations.medium = 'chat'
            then conversations.customer_token end
    left join leads
        on leads.phone_token = case when conversations.medium = 'chat' then peers.phone_token
            else conversations.customer_token end
    left join customers
        on customers.customer_phone_token = case when conversations.medium = 'chat'
            then peers.phone_token else conversations.customer_token end
    left join findings on conversations.conversation_id = findings.conversation_id

)

select * from joined
