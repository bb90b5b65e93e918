{{ config(**incremental_by_delivery_day()) }}

-- One row per call attempt of a work phone or AI dialer.
with

calls as (

    select * from {{ ref('stg_lake__calls') }}
    {{ new_delivery_days() }}

),

final as (

    select
        call_id,
        device_id,
        employee_id,
        device_id like 'AI%' as is_ai_dialer,
        direction,
        remote_number_token,
        remote_number_masked,
        started_at,
        answered_at,
        ended_at,
        answered_at is not null as is_answered,
        duration_s,
        cast(started_at as date) as call_date,
        {{ date_part_integer('hour', 'started_at') }} as call_hour,
        {{ iso_day_of_week('started_at') }} as iso_day_of_week,
        {{ quarter_label('started_at') }} as quarter,
        recording_ref is not null as has_recording,
        recording_ref,
        recording_duration_s,
        delivery_date
    from calls

)

select * from final
