-- Customer demand per keyword, city tier and quarter: the sales conversations that mentioned
-- it, their share of the tier's sales conversations, and the change on the quarter before.
with

conversations as (

    select conversation_id, quarter, city_tier
    from {{ ref('fct_conversations') }}
    where context = 'sales' and city_tier is not null

),

keywords as (

    select * from {{ ref('fct_conversation_keywords') }}
    where keyword_kind = 'demand'

),

tier_totals as (

    select city_tier, quarter, count(*) as sales_conversations
    from conversations
    group by city_tier, quarter

),

mentions as (

    select
        keywords.keyword,
        conversations.city_tier,
        conversations.quarter,
        count(distinct keywords.conversation_id) as mentions
    from keywords
    inner join conversations on keywords.conversation_id = conversations.conversation_id
    group by keywords.keyword, conversations.city_tier, conversations.quarter

),

joined as (

    select
        mentions.keyword,
        mentions.city_tier,
        mentions.quarter,
        mentions.mentions,
        tier_totals.sales_conversations,
        {{ safe_divide('mentions.mentions', 'tier_totals.sales_conversations') }} as mention_share
    from mentions
    inner join tier_totals
        on mentions.city_tier = tier_totals.city_tier and mentions.quarter = tier_totals.quarter

),

final as (

    select
        joined.*,
        lag(mentions) over (partition by keyword, city_tier order by quarter)
            as previous_quarter_mentions,
        {{ safe_divide('mentions - lag(mentions) over (partition by keyword, city_tier order by quarter)',
                       'lag(mentions) over (partition by keyword, city_tier order by quarter)') }}
            as mentions_qoq_change,
        mention_share - lag(mention_share) over (partition by keyword, city_tier order by quarter)
            as mention_share_qoq_change
    from joined

)

select * from final
