-- Collection performance per stage, quarter of stage entry and handler type (in_house, agency
-- and all): cases, recovery over matured assignments, complaints, compliance of contacts,
-- contact intensity, tool usage and cost per account under the report's cost model. Recovery
-- counts matured assignments only (their whole stage window elapsed), and is NULL until
-- var min_matured_cases of them have.
with

assignments as (

    select * from {{ ref('fct_collection_cases') }}

),

agencies as (

    select * from {{ ref('dim_agencies') }}

),

contacts as (

    select * from {{ ref('int_debtor_contacts_checked') }}

),

costed as (

    select
        assignments.*,
        case
            when assignments.handler_type = 'in_house' then
                {{ var('in_house_monthly_salary_cny') }} / {{ var('in_house_accounts_per_collector') }}
                + {{ var('in_house_commission_rate') }} * assignments.recovered_amount_cny
                + {{ var('in_house_system_cost_cny') }}
            else
                assignments.recovered_amount_cny * case assignments.stage
                    when 'M3plus' then agencies.commission_rate_m3plus
                    else agencies.commission_rate_m2 end
        end as cost_cny
    from assignments
    left join agencies on assignments.agency_id = agencies.agency_id

),

{#- Every row once under its own handler type and once under 'all'. -#}
by_handler as (

    select costed.*, handler_type as handler_group from costed
    union all
    select costed.*, 'all' as handler_group from costed

),

contacts_by_handler as (

    select contacts.*, handler_type as handler_group from contacts
    union all
    select contacts.*, 'all' as handler_group from contacts

),

case_measures as (

    select
        stage,
        quarter,
        handler_group as handler_type,
        count(*) as cases,
        {{ count_where('is_matured') }} as matured_cases,
        sum(case when is_matured then overdue_amount_cny else 0 end) as overdue_amount_cny,
        sum(case when is_matured then recovered_amount_cny else 0 end) as recovered_amount_cny,
        cast(sum(complaints) as bigint) as complaints,
        {{ safe_divide('sum(complaints)', 'count(*)') }} as complaint_rate,
        {{ safe_divide(count_where('ai_calls > 0'), 'count(*)') }} as ai_call_usage,
        {{ safe_divide(count_where('phone_calls > 0'), 'count(*)') }} as phone_call_usage,
        {{ safe_divide(count_where('sms_sent > 0'), 'count(*)') }} as sms_usage,
        {{ safe_divide(count_where('field_visits > 0'), 'count(*)') }} as field_visit_usage,
        {{ safe_divide(count_where('legal_letters > 0'), 'count(*)') }} as legal_letter_usage,
        {{ safe_divide('sum(case when is_matured then cost_cny end)', count_where('is_matured')) }}
            as cost_per_account_cny
    from by_handler
    group by stage, quarter, handler_group

),

contact_measures as (

    select
        stage,
        quarter,
        handler_group as handler_type,
        count(*) as contacts,
        {{ count_where('has_finding') }} as contacts_with_finding,
        {{ safe_divide(count_where('not has_finding'), 'count(*)') }} as compliance_rate,
        {{ safe_divide(count_where('employee_id is not null'),
                       'count(distinct case when employee_id is not null then employee_id || cast(contact_date as ' ~ dbt.type_string() ~ ') end)') }}
            as contacts_per_handler_day
    from contacts_by_handler
    group by stage, quarter, handler_group

),

final as (

    select
        case_measures.stage,
        case_measures.quarter,
        case_measures.handler_type,
        case_measures.cases,
        case_measures.matured_cases,
        case_measures.overdue_amount_cny,
        case_measures.recovered_amount_cny,
        case when case_measures.matured_cases >= {{ var('min_matured_cases') }} then
            {{ safe_divide('case_measures.recovered_amount_cny', 'case_measures.overdue_amount_cny') }}
        end as recovery_rate,
        case_measures.complaints,
        case_measures.complaint_rate,
        coalesce(contact_measures.contacts, 0) as contacts,
        coalesce(contact_measures.contacts_with_finding, 0) as contacts_with_finding,
        contact_measures.compliance_rate,
        contact_measures.contacts_per_handler_day,
        case_measures.ai_call_usage,
        case_measures.phone_call_usage,
        case_measures.sms_usage,
        case_measures.field_visit_usage,
        case_measures.legal_letter_usage,
        case_measures.cost_per_account_cny
    from case_measures
    left join contact_measures
        on case_measures.stage = contact_measures.stage
        and case_measures.quarter = contact_measures.quarter
        and case_measures.handler_type = contact_measures.handler_type

)

select * from final
