-- Acquisition efficiency per business line, channel and quarter: volume, cost and conversion,
-- the 12 communication efficiency metrics of the sales conversations with the channel's leads,
-- an efficiency score and acquisition ROI. Definitions of every column: _sales__models.yml.
with

leads as (

    select * from {{ ref('fct_leads') }}

),

loans as (

    select * from {{ ref('fct_loans') }}
    where channel is not null

),

spend as (

    select
        business_line,
        channel,
        {{ quarter_label('spend_date') }} as quarter,
        sum(spend_cny) as spend_cny
    from {{ ref('stg_lake__marketing_spend') }}
    group by 1, 2, 3

),

conversations as (

    select * from {{ ref('fct_conversations') }}
    where context = 'sales' and channel is not null

),

cohorts as (

    select
        business_line,
        channel,
        quarter,
        count(*) as leads,
        {{ count_where("is_converted") }} as converted_leads
    from leads
    group by 1, 2, 3

),

acquired as (

    select
        business_line,
        channel,
        quarter,
        count(*) as customers,
        sum(interest_income_cny) as interest_income_cny
    from loans
    group by 1, 2, 3

),

communication as (

    select
        business_line,
        channel,
        quarter,
        count(*) as sales_conversations,
        count(distinct lead_id) as leads_contacted,
        avg(first_response_s) as avg_first_response_s,
        avg(case when first_response_s is not null
            then case when first_response_s <= 300 then 1 else 0 end end)
            as quick_response_share,
        avg(rounds) as avg_rounds,
        avg(turns) as avg_turns,
        avg(demand_keyword_count) as demand_keywords_per_conversation,
        avg(case when demand_keyword_count > 0 then 1 else 0 end) as demand_keyword_rate,
        avg(case when intent_tag like '高意向%' then 1 else 0 end) as high_intent_share,
        avg(case when intent_tag like '观望%' then 1 else 0 end) as wait_and_see_share,
        avg(case when objection_count > 0 then 1 else 0 end) as objection_rate,
        avg(case when pitch = '低息分期' then 1 else 0 end) as low_rate_pitch_share,
        avg(hostility_score) as avg_hostility_score
    from conversations
    group by 1, 2, 3

),

joined as (

    select
        cohorts.business_line,
        cohorts.channel,
        cohorts.quarter,
        cohorts.leads,
        coalesce(acquired.customers, 0) as customers,
        {{ safe_divide('coalesce(acquired.customers, 0)',
                       'sum(coalesce(acquired.customers, 0)) over (partition by cohorts.business_line, cohorts.quarter)') }}
            as customer_share,
        coalesce(spend.spend_cny, 0) as spend_cny,
        {{ safe_divide('spend.spend_cny', 'acquired.customers') }} as cac_cny,
        {{ safe_divide('cohorts.converted_leads', 'cohorts.leads') }} as conversion_rate,
        coalesce(acquired.interest_income_cny, 0) as interest_income_cny,
        {{ safe_divide('coalesce(acquired.interest_income_cny, 0) - spend.spend_cny', 'spend.spend_cny') }}
            as roi,
        coalesce(communication.sales_conversations, 0) as sales_conversations,
        communication.avg_first_response_s,
        communication.quick_response_share,
        communication.avg_rounds,
        communication.avg_turns,
        communication.demand_keywords_per_conversation,
        communication.demand_keyword_rate,
        communication.high_intent_share,
        communication.wait_and_see_share,
        communication.objection_rate,
        communication.low_rate_pitch_share,
        communication.avg_hostility_score,
        {{ safe_divide('communication.sales_conversations', 'cohorts.leads') }}
            as conversations_per_lead,
        {{ safe_divide('communication.leads_contacted', 'cohorts.leads') }} as contact_rate
    from cohorts
    left join acquired
        on cohorts.business_line = acquired.business_line
        and cohorts.channel = acquired.channel
        and cohorts.quarter = acquired.quarter
    left join spend
        on cohorts.business_line = spend.business_line
        and cohorts.channel = spend.channel
        and cohorts.quarter = spend.quarter
    left join communication
        on cohorts.business_line = communication.business_line
        and cohorts.channel = communication.channel
        and cohorts.quarter = communication.quarter

),

{#- The score weighs a channel against the average channel of its line that quarter (100 = the
    line's average): conversion 40%, high intent 30%, demand keywords 15%, quick response 15%. -#}
{% set score_parts = {'conversion_rate': 0.40, 'high_intent_share': 0.30,
                      'demand_keyword_rate': 0.15, 'quick_response_share': 0.15} %}

scored as (

    select
        joined.*,
        100 * (
        {%- for column, weight in score_parts.items() %}
            {{ weight }} * coalesce({{ safe_divide(column,
                'avg(' ~ column ~ ') over (partition by business_line, quarter)') }}, 1)
            {{- ' +' if not loop.last }}
        {%- endfor %}
        ) as efficiency_score
    from joined

)

select * from scored
