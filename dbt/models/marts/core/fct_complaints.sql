-- One row per customer complaint, attributed to the line (sales, through the lead) or the
-- stage and handler (collections, through the case assignment).
with

complaints as (

    select * from {{ ref('stg_lake__complaints') }}

),

leads as (

    select lead_id, business_line, channel from {{ ref('stg_lake__leads') }}

),

assignments as (

    select case_id, stage, handler_type, agency_id
    from {{ ref('stg_lake__collection_cases') }}

),

final as (

    select
        complaints.complaint_id,
        complaints.category,
        complaints.received_at,
        {{ quarter_label('complaints.received_at') }} as quarter,
        complaints.employee_id,
        complaints.lead_id,
        leads.business_line,
        leads.channel,
        complaints.case_id,
        complaints.stage,
        assignments.handler_type,
        assignments.agency_id
    from complaints
    left join leads on complaints.lead_id = leads.lead_id
    left join assignments
        on complaints.case_id = assignments.case_id and complaints.stage = assignments.stage

)

select * from final
