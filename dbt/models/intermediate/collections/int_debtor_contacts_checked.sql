-- Every debtor contact with the stage assignment it fell in (quarter is the quarter the case
-- entered the stage, as in the stage reports) and whether any compliance finding (content or
-- conduct) points at it.
with

contacts as (

    select * from {{ ref('int_debtor_contacts_joined_to_cases') }}

),

assignments as (

    select assignment_id, stage, handler_type, agency_id, quarter
    from {{ ref('int_case_assignments_windowed') }}

),

flagged as (

    select source_id, count(*) as findings
    from {{ ref('stg_conversation__compliance_findings') }}
    where context = 'collection'
    group by source_id

),

final as (

    select
        contacts.*,
        assignments.stage,
        assignments.handler_type,
        assignments.agency_id,
        assignments.quarter,
        cast(contacts.contacted_at as date) as contact_date,
        coalesce(flagged.findings, 0) as findings,
        flagged.source_id is not null as has_finding
    from contacts
    inner join assignments on contacts.assignment_id = assignments.assignment_id
    left join flagged on contacts.contact_id = flagged.source_id

)

select * from final
