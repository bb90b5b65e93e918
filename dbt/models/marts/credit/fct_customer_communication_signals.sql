-- One row per communication event of a borrower that bears on the ten credit indicators: every
-- message the customer sent on WeChat / WeCom to a work phone (sales or collection), with the
-- signals read from its text and how long the customer took to reply, plus every complaint the
-- lender registered for the customer. Each row depends only on the event itself and on the
-- messages before it in the same chat, so features aggregated from it as of a date never see
-- the future (fct_customer_communication_features).
{# Lexicons (regular expressions, portable: matched with regexp_extract on both engines). #}
{%- set lexicon = {
    'income_keyword': '月|工资|收入|薪|挣|赚|到手|进账|退休金',
    'income_evasive': '隐私|不方便|不想透露|别问|不说了|说不好|不太好说|没法说|保密|说不清|不好讲|不想说|不想写|伤感情|跳过|换个问题|没算过|系统不是能查|问这么细|有啥关系|正常人的收入|收入的事|收入有点复杂|收入这个真不好|再考虑要不要讲',
    'hostile': '烦不烦|有完没完|别烦我|烦死|骚扰|报警|吸血鬼|神经病|骗子|不是好东西|疯了|嚣张|滚|去你的|你大爷|他妈|算老几|让你好看|再打试试|有本事|别逼我|恶心|听不懂吗|少来这套|别装好人|扑街|老子',
    'plan_accept': '按时扣款|自动扣款，省得|还款日定在|设个提醒|自动代扣我已经|按这个来就行|提前几天把钱存|按计划还|还款计划表我截图|一直有钱|都记下了|不会拖着|固定好安排|从来没逾期|按合同上的还款计划|按时还|写到日历|代扣授权我点同意|照着还款计划|尽量早点还完',
    'plan_resist': '到时候再说|不想绑卡|保证不了|能批多少才是关键|晚几天也没事|别自动扣|太死板|先不还|我不清楚|自己想还的时候|逾期几天应该|钱到手了再说|不习惯按计划还|提醒就别发|反正也记不住|看情况转账|我自己安排|审批过了再商量|想起来再还|会等我吧',
    'doc_promise': '今晚发给你|明天上午传|拍了发你|截图给你|待会儿发过来|周末前一定提交|晚点拍给你|一会儿把公积金|今天之内补齐|下午拍照传|回头发你微信|明天拿到就发|晚上整理好发你|马上去拍|明天给你|找到了就拍给你|一会儿截图|明天带去门店|开好了给你传|今天肯定给你弄好',
    'doc_sent': '已经发你了|刚上传好了|发过去了|截图已发|传上去了|都补齐了|刚发了|已经提交了|发你了，文件|上传完了|我弄好了|合同照片发了|报价单我传了|都发到你微信|刚刚已提交|我都发了|资料传完了|传好了|已上传',
    'doc_excuse': '资料还没弄|忘了去打|还没给开|忘拍了|还没找到|我忘了|没打成|晚点再补|暂时发不了|还在走流程|资料先不补|还没来得及|忘得一干二净|找不着了|今天又没空|我还没弄|抽不出时间|办不了|没找到，算了|还没传',
    'complaint': '投诉|反映|差评|12315|消协|监管|曝光|不满意|说法|升级处理|服务太差|态度很差|主管|不负责任|有意见|意见记录',
    'private_request': '个人微信|私人号|私人手机号|私下|小号|私聊|私人微信|换个平台|私人的电话|私人联系|本人的微信|私人的|自己的手机号|自己的微信|不想通过公司的号',
} %}

with

messages as (

    select * from {{ ref('stg_lake__messages') }}

),

peers as (

    select * from {{ ref('int_chat_peers_resolved') }}

),

employees as (

    select * from {{ ref('stg_lake__employees') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

loans as (

    select * from {{ ref('fct_loans') }}

),

cases as (

    select * from {{ ref('fct_collection_cases') }}

),

complaints as (

    select * from {{ ref('fct_complaints') }}

),

threaded as (

    -- Every message of a chat thread (one customer with one employee), with the message
    -- before it: a customer message right after an agent message is a reply.
    select
        messages.message_id,
        messages.peer_id_token,
        messages.employee_id,
        messages.direction,
        messages.text,
        messages.sent_at,
        lag(messages.direction) over (
            partition by messages.peer_id_token, messages.employee_id
            order by messages.sent_at, messages.message_id
        ) as previous_direction,
        lag(messages.sent_at) over (
            partition by messages.peer_id_token, messages.employee_id
            order by messages.sent_at, messages.message_id
        ) as previous_sent_at
    from messages
    where messages.msg_type = 'text' and messages.peer_id_token is not null

),

customer_messages as (

    select
        threaded.message_id as event_id,
        'message' as event_kind,
        customers.customer_id,
        threaded.employee_id,
        case when employees.role = 'sales_rep' then 'sales' else 'collection' end as context,
        threaded.sent_at as event_at,
        cast(threaded.sent_at as date) as event_date,
        case when threaded.previous_direction = 'sent'
                and {{ seconds_between('threaded.previous_sent_at', 'threaded.sent_at') }} <= 21600
            then cast({{ seconds_between('threaded.previous_sent_at', 'threaded.sent_at') }}
                as double)
        end as reply_latency_s,
        case when regexp_extract(threaded.text, '{{ lexicon.income_keyword }}', 0) <> ''
                and regexp_extract(threaded.text, '([0-9]{4,6})', 1) <> ''
                and employees.role = 'sales_rep'
            then cast(regexp_extract(threaded.text, '([0-9]{4,6})', 1) as double)
        end as disclosed_income_cny,
        case when regexp_extract(threaded.text, '{{ lexicon.income_evasive }}', 0) <> ''
            then 1 else 0 end as is_income_evasive,
        case when right(threaded.text, 1) in ('？', '?') then 1 else 0 end as is_question,
        case when regexp_extract(threaded.text, '{{ lexicon.hostile }}', 0) <> ''
            then 1 else 0 end as is_hostile,
        case when instr(threaded.text, '[手机号]') > 0 then 1 else 0 end as is_contact_change,
        case when regexp_extract(threaded.text, '{{ lexicon.plan_accept }}', 0) <> ''
            then 1 else 0 end as is_plan_accept,
        case when regexp_extract(threaded.text, '{{ lexicon.plan_resist }}', 0) <> ''
            then 1 else 0 end as is_plan_resist,
        case when regexp_extract(threaded.text, '{{ lexicon.doc_promise }}', 0) <> ''
            then 1 else 0 end as is_document_promise,
        case when regexp_extract(threaded.text, '{{ lexicon.doc_sent }}', 0) <> ''
            then 1 else 0 end as is_document_sent,
        case when regexp_extract(threaded.text, '{{ lexicon.doc_excuse }}', 0) <> ''
            then 1 else 0 end as is_document_excuse,
        case when regexp_extract(threaded.text, '{{ lexicon.complaint }}', 0) <> ''
            then 1 else 0 end as is_complaint,
        case when regexp_extract(threaded.text, '{{ lexicon.private_request }}', 0) <> '' then 1 else 0 end as is_private_channel_request
    from threaded
    inner join peers on threaded.peer_id_token = peers.peer_id_token
    inner join customers on peers.phone_token = customers.customer_phone_token
    left join employees on threaded.employee_id = employees.employee_id
    where threaded.direction = 'received'

),

complaint_customers as (

    -- A complaint names the lead (sales) or the collection case; either leads to the loan.
    select
        complaints.complaint_id,
        complaints.employee_id,
        complaints.received_at,
        coalesce(by_lead.customer_id, by_case.customer_id) as customer_id,
        case when complaints.case_id is null then 'sales' else 'collection' end as context
    from complaints
    left join loans as by_lead on complaints.lead_id = by_lead.lead_id
    left join (
        select distinct cases.case_id, loans.customer_id
        from cases
        inner join loans on cases.loan_id = loans.loan_id
    ) as by_case on complaints.case_id = by_case.case_id

),

complaint_events as (

    select
        complaint_id as event_id,
        'complaint' as event_kind,
        customer_id,
        employee_id,
        context,
        received_at as event_at,
        cast(received_at as date) as event_date,
        cast(null as double) as reply_latency_s,
        cast(null as double) as disclosed_income_cny,
        0 as is_income_evasive,
        0 as is_question,
        0 as is_hostile,
        0 as is_contact_change,
        0 as is_plan_accept,
        0 as is_plan_resist,
        0 as is_document_promise,
        0 as is_document_sent,
        0 as is_document_excuse,
        1 as is_complaint,
        0 as is_private_channel_request
    from complaint_customers
    where customer_id is not null

),

final as (

    select * from customer_messages
    union all
    select * from complaint_events

)

select * from final
