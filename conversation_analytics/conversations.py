"""Conversations as the compliance engine and the features see them: one row per turn.

A call's turns are its transcribed utterances (``lake/transcripts``); a chat is a run of WeChat /
WeCom messages between one employee and one peer with no gap longer than ``CHAT_GAP_HOURS``.
The context comes from who spoke for the lender: sales reps hold ``sales`` conversations;
collectors, field agents and AI dialers hold ``collection`` ones.

``conversation_turns`` (a DuckDB view made by :func:`register_turns`) has:

    conversation_id   'call:<call_id>' or 'chat:<first message_id>'
    medium            call | chat
    context           sales | collection
    employee_id       who spoke for the lender
    customer_token    the customer's number or chat-id token (never the clear value)
    conversation_start  when the call started / the first message was sent
    turn_index        0, 1, … in time order
    source_id         the call_id (calls) or the message_id (chats)
    speaker           agent | customer | unknown
    start_s, end_s    seconds from the conversation's start (a message lasts no time)
    text              the utterance or message text (personal numbers already redacted)
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.lake import Lake
from ingestion.lake_store import LakeStore

CHAT_GAP_HOURS = 6
SALES_ROLES = ("sales_rep",)


def lake_relation(lake: Path | LakeStore, feed: str) -> str:
    """SQL reading every partition of one lake feed (on object storage, through a connection
    the store has configured)."""
    return f"read_parquet('{Lake(lake).files_glob(feed)}', hive_partitioning = true)"


def has_feed(lake: Path | LakeStore, feed: str) -> bool:
    return Lake(lake).has_data(feed)


def register_turns(con: duckdb.DuckDBPyConnection, lake: Path | LakeStore) -> None:
    """Create the temporary view ``conversation_turns`` over the lake (``con`` configured for
    it: ``LakeStore.configure``)."""
    parts = []
    roles = lake_relation(lake, "employees")
    context = (f"case when e.role in ({', '.join(repr(r) for r in SALES_ROLES)}) "
               "then 'sales' else 'collection' end")
    if has_feed(lake, "transcripts") and has_feed(lake, "calls"):
        parts.append(f"""
            select 'call:' || t.call_id as conversation_id, 'call' as medium,
                {context} as context, c.employee_id, c.remote_number_token as customer_token,
                c.started_at as conversation_start,
                row_number() over (partition by t.call_id order by t.start_s, t.utterance_index)
                    - 1 as turn_index,
                t.call_id as source_id, t.speaker, t.start_s, t.end_s, t.text
            from {lake_relation(lake, "transcripts")} t
            join {lake_relation(lake, "calls")} c using (call_id)
            left join {roles} e using (employee_id)""")
    if has_feed(lake, "messages"):
        parts.append(f"""
            with ordered as (
                select m.*, {context} as context,
                    case when lag(m.sent_at) over w is null
                        or m.sent_at - lag(m.sent_at) over w > interval {CHAT_GAP_HOURS} hour
                        then 1 else 0 end as opens
                from {lake_relation(lake, "messages")} m
                left join {roles} e using (employee_id)
                where m.msg_type = 'text' and m.text is not null
                window w as (partition by m.employee_id, m.peer_id_token
                             order by m.sent_at, m.message_id)
            ),
            numbered as (
                select *, sum(opens) over (partition by employee_id, peer_id_token
                    order by sent_at, message_id rows unbounded preceding) as session
                from ordered
            ),
            sessions as (
                select *,
                    first(message_id order by sent_at, message_id) over s as first_message,
                    min(sent_at) over s as conversation_start
                from numbered
                window s as (partition by employee_id, peer_id_token, session)
            )
            select 'chat:' || first_message as conversation_id, 'chat' as medium, context,
                employee_id, peer_id_token as customer_token, conversation_start,
                row_number() over (partition by first_message order by sent_at, message_id)
                    - 1 as turn_index,
                message_id as source_id,
                case when direction = 'sent' then 'agent' else 'customer' end as speaker,
                epoch(sent_at - conversation_start) as start_s,
                epoch(sent_at - conversation_start) as end_s, text
            from sessions""")
    if not parts:
        con.execute("""create or replace temp view conversation_turns as
            select null::varchar as conversation_id, null::varchar as medium,
                null::varchar as context, null::varchar as employee_id,
                null::varchar as customer_token, null::timestamp as conversation_start,
                null::bigint as turn_index, null::varchar as source_id,
                null::varchar as speaker, null::double as start_s, null::double as end_s,
                null::varchar as text
            where false""")
        return
    union = "\nunion all\n".join(f"select * from ({p})" for p in parts)
    con.execute(f"create or replace temp view conversation_turns as {union}")
