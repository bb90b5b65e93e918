"""A conversation as evidence: who, when, every turn, the customer's number and the recording.

Every role that may see the conversation gets the masked view: turn texts with personal numbers
as placeholders, the customer's masked number, and the recording with every utterance that held
a personal number silenced. Compliance and risk get the original: chat messages as captured,
the number in clear and the recording as it was made. Every view is written to the access log.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import soundfile

from dashboards.access import Viewer
from dashboards.queries.originals import is_redacted, raw_records
from dashboards.queries.scope import viewer_rows
from dashboards.warehouse import Warehouse


@dataclass
class Conversation:
    conversation_id: str
    header: dict
    turns: pd.DataFrame               # turn_index, speaker, start_s, end_s, text
    customer: str | None              # the customer's number or chat id
    unmasked: bool                    # the viewer may see personal data in clear
    customer_in_clear: bool = False   # ``customer`` was read from the raw capture
    audio: bytes | None = None        # WAV
    notes: list[str] = field(default_factory=list)


def conversation(db: Warehouse, viewer: Viewer, conversation_id: str,
                 reason: str = "") -> Conversation | None:
    """The conversation when the viewer may see it (else None); the view is logged."""
    header = _header(db, viewer, conversation_id)
    if header is None:
        return None
    view = Conversation(conversation_id, header, _turns(db, conversation_id), None,
                        viewer.unmasked)
    call = _call(db, conversation_id)
    if call is not None:
        view.customer = call["remote_number_masked"]
    elif not view.turns.empty:
        view.customer = _chat_peer_masked(db, view.turns["source_id"].iloc[0])
    if viewer.unmasked:
        _unmask(db, view)
    if call is not None and call["recording_ref"]:
        view.audio = _recording(db, view, call["recording_ref"], silence=not viewer.unmasked)
    if view.turns.empty:
        view.notes.append("No transcript or chat text is indexed for this conversation.")
    db.log(viewer, "view_conversation", conversation_id, unmasked=viewer.unmasked,
           reason=reason)
    return view


def _header(db: Warehouse, viewer: Viewer, conversation_id: str) -> dict | None:
    """The conversation row (a call without a transcript: its call record) if in scope."""
    where = viewer_rows(viewer, "agency_id")
    found = db.frame(f"""
        with conversations as (
            select conversation_id, medium, context, started_at, employee_id, team_name,
                agency_id, handler_type, business_line, customer_id, 1 as preference
            from marts.fct_conversations where conversation_id = ?
            union all
            select 'call:' || c.call_id, 'call',
                case when e.role = 'sales_rep' then 'sales' else 'collection' end,
                c.started_at, c.employee_id, e.team_name, e.agency_id, e.handler_type,
                e.business_line, null, 2
            from marts.fct_calls c
            left join marts.dim_employees e using (employee_id)
            where c.call_id = ?
        )
        select * exclude (preference) from conversations {where.sql}
        order by preference limit 1""",
        [conversation_id, _call_id(conversation_id), *where.params])
    return None if found.empty else found.iloc[0].to_dict()


def _call_id(conversation_id: str) -> str | None:
    return conversation_id.removeprefix("call:") if conversation_id.startswith("call:") else None


def _turns(db: Warehouse, conversation_id: str) -> pd.DataFrame:
    if not db.has_search:
        return pd.DataFrame(columns=["turn_index", "speaker", "start_s", "end_s", "text",
                                     "source_id", "source_file", "source_line"])
    return db.frame("""
        select turn_index, speaker, start_s, end_s, text, source_id, source_file, source_line
        from search.turns where conversation_id = ? order by turn_index""", [conversation_id])


def _call(db: Warehouse, conversation_id: str) -> dict | None:
    call_id = _call_id(conversation_id)
    if call_id is None:
        return None
    found = db.frame("""select call_id, remote_number_masked, recording_ref, duration_s
        from marts.fct_calls where call_id = ?""", [call_id])
    return None if found.empty else found.iloc[0].to_dict()


def _chat_peer_masked(db: Warehouse, message_id: str) -> str | None:
    found = db.rows("select peer_id_masked from marts.fct_messages where message_id = ?",
                    [message_id])
    return found[0][0] if found else None


def _unmask(db: Warehouse, view: Conversation) -> None:
    """Chat texts and the customer's number from the raw captures (the call record for a call,
    each message for a chat)."""
    raw_dir = db.settings.raw_dir
    turns = view.turns
    if view.conversation_id.startswith("call:"):
        lineage = turns.dropna(subset=["source_file"]).head(1)
        for file, line in zip(lineage["source_file"], lineage["source_line"], strict=True):
            record = raw_records(raw_dir, file, {int(line)}).get(int(line))
            if record and record.get("remote_number"):
                view.customer, view.customer_in_clear = record["remote_number"], True
        if any(is_redacted(t) for t in turns["text"]):
            view.notes.append("Transcripts are redacted when they are made; the recording "
                              "holds what was said.")
        return
    originals: dict[tuple[str, int], dict] = {}
    for file, group in turns.dropna(subset=["source_file"]).groupby("source_file"):
        lines = {int(n) for n in group["source_line"]}
        for number, record in raw_records(raw_dir, str(file), lines).items():
            originals[(str(file), number)] = record
    texts = []
    for text, file, line in zip(turns["text"], turns["source_file"], turns["source_line"],
                                strict=True):
        record = originals.get((file, int(line))) if isinstance(file, str) else None
        texts.append(record["text"] if record and record.get("text") else text)
        if record and record.get("peer_id"):
            view.customer, view.customer_in_clear = record["peer_id"], True
    if len(originals) < len(turns):
        view.notes.append(f"{len(turns) - len(originals)} messages have no raw capture left; "
                          "they are shown as stored (masked).")
    view.turns = turns.assign(text=texts)


def _recording(db: Warehouse, view: Conversation, recording_ref: str,
               silence: bool) -> bytes | None:
    """The recording's WAV; ``silence``: every utterance that held a personal number muted."""
    root = db.settings.raw_dir.resolve()
    path = (root / recording_ref).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        view.notes.append(f"The recording {recording_ref} is no longer in the raw captures.")
        return None
    if not silence:
        return path.read_bytes()
    if view.turns.empty:
        view.notes.append("The recording is not transcribed yet, so what to silence is not "
                          "known: it plays for compliance and risk only.")
        return None
    audio, rate = soundfile.read(path, dtype="int16", always_2d=True)
    muted = view.turns[view.turns["text"].map(is_redacted).astype(bool)]
    for start, end in zip(muted["start_s"], muted["end_s"], strict=True):
        audio[int(start * rate):int(np.ceil(end * rate))] = 0
    if not muted.empty:
        view.notes.append(f"{len(muted)} utterances with a personal number are silenced.")
    out = io.BytesIO()
    soundfile.write(out, audio, rate, format="WAV", subtype="PCM_16")
    return out.getvalue()
