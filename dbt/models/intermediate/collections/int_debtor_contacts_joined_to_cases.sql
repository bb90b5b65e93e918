-- Every contact with a debtor while a case was in a stage, by tool: AI and work-phone calls and
-- SMS to the debtor's number, field visits and lawyer letters on the case.
with

assignments as (

    select * from {{ ref('int_case_assignments_windowed') }}

),

loans as (

    select loan_id, customer_phone_token from {{ ref('stg_lake__loans') }}

),

windows as (

    select assignments.*, loans.customer_phone_token
    from assignments
    inner join loans on assignments.loan_id = loans.loan_id

),

calls as (

    select
        call_id as contact_id,
        case when device_id like 'AI%' then 'ai_call' else 'phone_call' end as tool,
        employee_id,
        remote_number_token as phone_token,
        started_at as contacted_at,
        answered_at is not null as is_answered
    from {{ ref('stg_lake__calls') }}
    where direction = 'outbound'

),

sms as (

    select
        sms_id as contact_id,
        'sms' as tool,
        employee_id,
        remote_number_token as phone_token,
        sent_at as contacted_at,
        cast(null as boolean) as is_answered
    from {{ ref('stg_lake__sms') }}
    where direction = 'outbound'

),

by_number as (

    select * from calls
    union all
    select * from sms

),

number_contacts as (

    select
        windows.assignment_id,
        by_number.contact_id,
        by_number.tool,
        by_number.employee_id,
        by_number.contacted_at,
        by_number.is_answered
    from by_number
    inner join windows
        on by_number.phone_token = windows.customer_phone_token
        and by_number.contacted_at >= windows.assigned_at
        and by_number.contacted_at < windows.stage_end

),

case_contacts as (

    select
        windows.assignment_id,
        visits.checkin_id as contact_id,
        'field_visit' as tool,
        visits.employee_id,
        visits.checked_in_at as contacted_at,
        cast(null as boolean) as is_answered
    from {{ ref('stg_lake__visit_checkins') }} as visits
    inner join windows
        on visits.case_id = windows.case_id
        and visits.checked_in_at >= windows.assigned_at
        and visits.checked_in_at < windows.stage_end

    union all

    select
        windows.assignment_id,
        letters.letter_id as contact_id,
        'legal_letter' as tool,
        cast(null as {{ dbt.type_string() }}) as employee_id,
        letters.sent_at as contacted_at,
        cast(null as boolean) as is_answered
    from {{ ref('stg_lake__legal_letters') }} as letters
    inner join windows
        on letters.case_id = windows.case_id
        and letters.sent_at >= windows.assigned_at
        and letters.sent_at < windows.stage_end

),

unioned as (

    select * from number_contacts
    union all
    select * from case_contacts

)

select * from unioned
