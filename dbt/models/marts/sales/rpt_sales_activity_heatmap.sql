-- When sales reps reach prospects: touches and effective follow-ups per business line, quarter,
-- ISO day of week (1 = Monday) and hour of day.
with

touches as (

    select * from {{ ref('int_sales_touches_unioned') }}

),

final as (

    select
        business_line,
        quarter,
        iso_day_of_week,
        touch_hour,
        count(*) as touches,
        {{ count_where('is_effective') }} as effective_follow_ups,
        {{ safe_divide(count_where('is_effective'), 'count(*)') }} as effective_share,
        count(distinct employee_id) as reps
    from touches
    group by business_line, quarter, iso_day_of_week, touch_hour

)

select * from final
