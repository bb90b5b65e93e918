-- The regulatory archive: every communication filed under each requirement it falls under
-- (利率披露 rate disclosure, 风险提示 risk warning, 隐私保护 privacy protection; var
-- archive_requirements), with the outcome and references to the findings that are its evidence.
-- Conversations are filed by their context; a conduct finding of a requirement (e.g. a private
-- WeChat add) is filed as a communication of its own.
with

conversations as (

    select * from {{ ref('fct_conversations') }}

),

findings as (

    select * from {{ ref('fct_compliance_findings') }}

),

{% set requirements = var('archive_requirements') %}

filed as (

    {% for code, requirement in requirements.items() %}
    select
        '{{ code }}' as requirement,
        '{{ requirement.name_zh }}' as requirement_zh,
        conversations.conversation_id as communication_id,
        conversations.medium,
        conversations.context,
        conversations.business_line,
        conversations.employee_id,
        conversations.team_id,
        conversations.agency_id,
        conversations.started_at as communicated_at,
        conversations.quarter
    from conversations
    where conversations.context in ('{{ requirement.contexts | join("', '") }}')

    union all

    select distinct
        '{{ code }}' as requirement,
        '{{ requirement.name_zh }}' as requirement_zh,
        findings.source_feed || ':' || findings.source_id as communication_id,
        findings.medium,
        findings.context,
        findings.business_line,
        findings.employee_id,
        findings.team_id,
        findings.agency_id,
        findings.occurred_at as communicated_at,
        findings.quarter
    from findings
    where findings.kind = 'conduct'
        and findings.label in ('{{ requirement.labels | join("', '") }}')
    {{ 'union all' if not loop.last }}
    {% endfor %}

),

evidence as (

    {% for code, requirement in requirements.items() %}
    select
        '{{ code }}' as requirement,
        case when kind = 'conduct' then source_feed || ':' || source_id
            else conversation_id end as communication_id,
        finding_id,
        label
    from findings
    where label in ('{{ requirement.labels | join("', '") }}')
    {{ 'union all' if not loop.last }}
    {% endfor %}

),

evidence_by_communication as (

    select
        requirement,
        communication_id,
        count(*) as findings,
        {{ dbt.listagg('finding_id', "', '") }} as evidence_finding_ids,
        {{ dbt.listagg('distinct label', "', '") }} as labels
    from evidence
    group by requirement, communication_id

),

final as (

    select
        filed.requirement || ':' || filed.communication_id as archive_id,
        filed.*,
        case when evidence_by_communication.findings is null then 'no_breach_found'
            else 'breach' end as outcome,
        coalesce(evidence_by_communication.findings, 0) as findings,
        evidence_by_communication.labels,
        evidence_by_communication.evidence_finding_ids
    from filed
    left join evidence_by_communication
        on filed.requirement = evidence_by_communication.requirement
        and filed.communication_id = evidence_by_communication.communication_id

)

select * from final
