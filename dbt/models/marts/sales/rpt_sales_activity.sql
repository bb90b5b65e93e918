-- Sales activity per rep and day: touches by medium and the effective follow-ups (answered
-- calls and chats the customer answered), the measure behind "effective follow-ups per rep per
-- day". The hour × weekday view is rpt_sales_activity_heatmap.
with

touches as (

    select * from {{ ref('int_sales_touches_unioned') }}

),

final as (

    select
        employee_id,
        touch_date as activity_date,
        min(business_line) as business_line,
        min(team_id) as team_id,
        min(quarter) as quarter,
        count(*) as touches,
        {{ count_where("medium = 'call' and direction = 'outbound'") }} as calls_dialled,
        {{ count_where("medium = 'call' and is_effective") }} as calls_answered,
        {{ count_where("medium = 'chat'") }} as chats,
        {{ count_where('is_effective') }} as effective_follow_ups
    from touches
    group by employee_id, touch_date

)

select * from final
