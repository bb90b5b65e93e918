-- Each stage assignment with what the debtor repaid inside its window, the complaints filed
-- about the case in that stage, and the contacts made by tool.
with

assignments as (

    select * from {{ ref('int_case_assignments_windowed') }}

),

repayments as (

    select * from {{ ref('stg_lake__repayments') }}

),

complaints as (

    select * from {{ ref('stg_lake__complaints') }}
    where category = 'collection'

),

contacts as (

    select * from {{ ref('int_debtor_contacts_joined_to_cases') }}

),

recovered as (

    select
        assignments.assignment_id,
        sum(repayments.amount_cny) as recovered_amount_cny,
        count(*) as repayments
    from assignments
    inner join repayments
        on assignments.loan_id = repayments.loan_id
        and repayments.paid_at >= assignments.assigned_at
        and repayments.paid_at <= assignments.stage_end
    group by assignments.assignment_id

),

complained as (

    select
        assignments.assignment_id,
        count(*) as complaints
    from assignments
    inner join complaints
        on assignments.case_id = complaints.case_id
        and assignments.stage = complaints.stage
    group by assignments.assignment_id

),

contacted as (

    select
        assignment_id,
        count(*) as contacts,
        {{ count_where("tool = 'ai_call'") }} as ai_calls,
        {{ count_where("tool = 'phone_call'") }} as phone_calls,
        {{ count_where("tool in ('ai_call', 'phone_call') and is_answered") }} as answered_calls,
        {{ count_where("tool = 'sms'") }} as sms_sent,
        {{ count_where("tool = 'field_visit'") }} as field_visits,
        {{ count_where("tool = 'legal_letter'") }} as legal_letters
    from contacts
    group by assignment_id

),

joined as (

    select
        assignments.*,
        coalesce(recovered.recovered_amount_cny, 0) as recovered_amount_cny,
        coalesce(recovered.repayments, 0) as repayments,
        coalesce(complained.complaints, 0) as complaints,
        coalesce(contacted.contacts, 0) as contacts,
        coalesce(contacted.ai_calls, 0) as ai_calls,
        coalesce(contacted.phone_calls, 0) as phone_calls,
        coalesce(contacted.answered_calls, 0) as answered_calls,
        coalesce(contacted.sms_sent, 0) as sms_sent,
        coalesce(contacted.field_visits, 0) as field_visits,
        coalesce(contacted.legal_letters, 0) as legal_letters
    from assignments
    left join recovered on assignments.assignment_id = recovered.assignment_id
    left join complained on assignments.assignment_id = complained.assignment_id
    left join contacted on assignments.assignment_id = contacted.assignment_id

)

select * from joined
