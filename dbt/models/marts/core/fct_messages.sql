{{ config(**incremental_by_delivery_day()) }}

-- One row per WeChat / WeCom message sent or received on a work phone.
with

messages as (

    select * from {{ ref('stg_lake__messages') }}
    {{ new_delivery_days() }}

),

final as (

    select
        message_id,
        device_id,
        employee_id,
        app,
        peer_id_token,
        peer_id_masked,
        direction,
        msg_type,
        sent_at,
        cast(sent_at as date) as sent_date,
        {{ date_part_integer('hour', 'sent_at') }} as sent_hour,
        {{ quarter_label('sent_at') }} as quarter,
        length(text) as text_length,
        delivery_date
    from messages

)

select * from final
