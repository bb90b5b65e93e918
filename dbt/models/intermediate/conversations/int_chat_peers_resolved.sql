-- A chat peer (WeChat / WeCom id token) resolved to the phone-number token the friend add
-- recorded, so that chats join leads, loans and calls on one customer key.
with

friend_adds as (

    select * from {{ ref('stg_lake__friend_adds') }}

),

resolved as (

    select
        peer_id_token,
        min(peer_phone_token) as phone_token,
        min(added_at) as first_added_at,
        count(*) as friend_adds
    from friend_adds
    where peer_id_token is not null
    group by peer_id_token

)

select * from resolved
