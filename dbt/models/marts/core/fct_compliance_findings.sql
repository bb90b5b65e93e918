-- One row per compliance finding, with its workflow status and time to rectify.
with

findings as (

    select * from {{ ref('int_findings_with_status') }}

),

employees as (

    select employee_id, business_line from {{ ref('stg_lake__employees') }}

),

final as (

    select
        findings.finding_id,
        findings.kind,
        findings.label,
        findings.rule_id,
        findings.rule_version,
        findings.severity,
        findings.score,
        findings.conversation_id,
        findings.medium,
        findings.context,
        findings.source_feed,
        findings.source_id,
        findings.utterance_index,
        findings.utterance_start_s,
        findings.utterance_end_s,
        findings.evidence,
        findings.employee_id,
        employees.business_line,
        findings.team_id,
        findings.team_name,
        findings.handler_type,
        findings.agency_id,
        findings.customer_token,
        findings.occurred_at,
        findings.occurred_date,
        {{ quarter_label('findings.occurred_at') }} as quarter,
        findings.detected_at,
        findings.status,
        findings.acknowledged_at,
        findings.rectified_at,
        findings.hours_to_rectify
    from findings
    left join employees on findings.employee_id = employees.employee_id

)

select * from final
