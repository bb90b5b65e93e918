-- The outsourced-agency scorecard per agency and quarter of stage entry: recovery, complaints,
-- violations per 1,000 contacts, the fake-visit rate, and the commission coefficient tied to
-- compliance (1 at the target contact compliance rate; vars contact_compliance_target,
-- commission_coefficient_slope per point, floor and cap).
with

assignments as (

    select * from {{ ref('fct_collection_cases') }}
    where handler_type = 'agency' and agency_id is not null

),

agencies as (

    select * from {{ ref('dim_agencies') }}

),

contacts as (

    select * from {{ ref('int_debtor_contacts_checked') }}
    where handler_type = 'agency' and agency_id is not null

),

findings as (

    select agency_id, quarter, count(*) as violations
    from {{ ref('fct_compliance_findings') }}
    where agency_id is not null
    group by agency_id, quarter

),

visits as (

    select
        agency_id,
        quarter,
        count(*) as field_visits,
        {{ count_where('is_fake_visit') }} as fake_visits
    from {{ ref('fct_field_visits') }}
    where agency_id is not null
    group by agency_id, quarter

),

cases as (

    select
        agency_id,
        quarter,
        count(*) as cases,
        {{ count_where('is_matured') }} as matured_cases,
        sum(case when is_matured then overdue_amount_cny else 0 end) as overdue_amount_cny,
        sum(case when is_matured then recovered_amount_cny else 0 end) as recovered_amount_cny,
        cast(sum(complaints) as bigint) as complaints
    from assignments
    group by agency_id, quarter

),

contacted as (

    select
        agency_id,
        quarter,
        count(*) as contacts,
        {{ count_where('has_finding') }} as contacts_with_finding
    from contacts
    group by agency_id, quarter

),

joined as (

    select
        cases.agency_id,
        agencies.agency_name,
        cases.quarter,
        cases.cases,
        cases.matured_cases,
        cases.overdue_amount_cny,
        cases.recovered_amount_cny,
        case when cases.matured_cases >= {{ var('min_matured_cases') }} then
            {{ safe_divide('cases.recovered_amount_cny', 'cases.overdue_amount_cny') }}
        end as recovery_rate,
        cases.complaints,
        {{ safe_divide('cases.complaints', 'cases.cases') }} as complaint_rate,
        coalesce(contacted.contacts, 0) as contacts,
        coalesce(findings.violations, 0) as violations,
        {{ safe_divide('1000 * coalesce(findings.violations, 0)', 'contacted.contacts') }}
            as violations_per_1000_contacts,
        {{ safe_divide('contacted.contacts - contacted.contacts_with_finding', 'contacted.contacts') }}
            as contact_compliance_rate,
        coalesce(visits.field_visits, 0) as field_visits,
        coalesce(visits.fake_visits, 0) as fake_visits,
        {{ safe_divide('visits.fake_visits', 'visits.field_visits') }} as fake_visit_rate
    from cases
    left join agencies on cases.agency_id = agencies.agency_id
    left join contacted
        on cases.agency_id = contacted.agency_id and cases.quarter = contacted.quarter
    left join findings
        on cases.agency_id = findings.agency_id and cases.quarter = findings.quarter
    left join visits
        on cases.agency_id = visits.agency_id and cases.quarter = visits.quarter

),

final as (

    select
        joined.*,
        least({{ var('commission_coefficient_cap') }}, greatest({{ var('commission_coefficient_floor') }},
            1 + {{ var('commission_coefficient_slope') }} * 100
                * (coalesce(contact_compliance_rate, {{ var('contact_compliance_target') }})
                   - {{ var('contact_compliance_target') }})
        )) as commission_coefficient
    from joined

)

select * from final
