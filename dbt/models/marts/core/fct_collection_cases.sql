-- One row per stage assignment of a delinquency case (分案): who handled it, what was overdue,
-- what was recovered inside the stage window, complaints, and contacts by tool.
with

assignments as (

    select * from {{ ref('int_case_assignments_recovered') }}

),

final as (

    select
        assignment_id,
        case_id,
        loan_id,
        stage,
        handler_type,
        agency_id,
        collector_id,
        assigned_at,
        quarter,
        dpd_at_entry,
        overdue_amount_cny,
        window_days,
        window_end,
        closed_at,
        close_reason,
        stage_end,
        as_of_day,
        is_matured,
        recovered_amount_cny,
        repayments,
        complaints,
        contacts,
        ai_calls,
        phone_calls,
        answered_calls,
        sms_sent,
        field_visits,
        legal_letters
    from assignments

)

select * from final
