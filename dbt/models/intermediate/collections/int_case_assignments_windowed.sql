-- Each stage assignment with the window it covers: from assignment to close, or to the end of
-- the stage's window when still open. An assignment is matured when its whole window has
-- elapsed by the day after the last assignment in the export (the data's as-of day), so that
-- its recovery is final.
with

cases as (

    select * from {{ ref('stg_lake__collection_cases') }}

),

as_of as (

    select cast({{ dbt.dateadd('day', 1, 'cast(max(assigned_at) as date)') }} as date) as as_of_day
    from cases

),

windowed as (

    select
        cases.*,
        {{ quarter_label('cases.assigned_at') }} as quarter,
        {{ stage_window_days('cases.stage') }} as window_days,
        {{ add_interval('cases.assigned_at', stage_window_days('cases.stage')) }} as window_end,
        as_of.as_of_day
    from cases
    cross join as_of

),

final as (

    select
        *,
        coalesce(closed_at, window_end) as stage_end,
        window_end <= cast(as_of_day as timestamp) as is_matured
    from windowed

)

select * from final
