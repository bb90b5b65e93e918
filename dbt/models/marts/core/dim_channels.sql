-- Acquisition channels per business line, from the leads and the marketing spend.
with

from_leads as (

    select distinct business_line, channel from {{ ref('stg_lake__leads') }}
    where business_line is not null and channel is not null

),

from_spend as (

    select distinct business_line, channel from {{ ref('stg_lake__marketing_spend') }}

),

channels as (

    select * from from_leads
    union
    select * from from_spend

),

final as (

    select
        business_line || ':' || channel as channel_key,
        business_line,
        channel,
        case channel
            when 'short_video' then '短视频信息流'
            when 'offline_scene' then '线下场景合作'
            when 'own_online' then '自有线上渠道'
            when 'third_party_platform' then '第三方助贷平台'
        end as channel_name_zh,
        case channel
            when 'short_video' then 'Short-video feeds'
            when 'offline_scene' then 'Offline scene partners'
            when 'own_online' then 'Own online (website, app)'
            when 'third_party_platform' then 'Third-party loan platforms'
        end as channel_name_en
    from channels

)

select * from final
