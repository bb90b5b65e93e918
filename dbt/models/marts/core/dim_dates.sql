-- One row per calendar day of the reporting range (vars date_spine_start / date_spine_end).
with

days as (

    {{ dbt.date_spine('day',
        "cast('" ~ var('date_spine_start') ~ "' as date)",
        dbt.dateadd('day', 1, "cast('" ~ var('date_spine_end') ~ "' as date)")) }}

),

final as (

    select
        cast(date_day as date) as date_day,
        {{ date_part_integer('year', 'date_day') }} as year,
        {{ date_part_integer('quarter', 'date_day') }} as quarter_of_year,
        {{ quarter_label('date_day') }} as quarter,
        {{ date_part_integer('month', 'date_day') }} as month,
        {{ iso_day_of_week('date_day') }} as iso_day_of_week,
        {{ iso_day_of_week('date_day') }} >= 6 as is_weekend
    from days

)

select * from final
