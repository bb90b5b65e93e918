"""UI pieces used by more than one page."""

from __future__ import annotations

import re

import streamlit as st

from dashboards.queries.evidence import Conversation

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def plain(text: object) -> str:
    """Text shown as written: every character Markdown would interpret escaped."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def conversation(view: Conversation, highlight: int | None = None,
                 start_s: float | None = None, why: str = "Flagged") -> None:
    """A conversation: who and when, the customer, the recording from ``start_s``, and every
    turn, the ``highlight`` one marked with ``why``."""
    h = view.header
    agency = h.get("agency_id") or "in house"
    st.markdown(f"**{plain(view.conversation_id)}** · {plain(h['medium'])} · "
                f"{plain(h['context'])} · {plain(h['started_at'])} · employee "
                f"{plain(h['employee_id'])} ({plain(h.get('team_name') or '–')}, "
                f"{plain(agency)})")
    kind = "as captured" if view.customer_in_clear else "masked"
    st.markdown(f"Customer: `{view.customer or '–'}` ({kind})")
    for note in view.notes:
        st.caption(note)
    if view.audio is not None:
        st.audio(view.audio, format="audio/wav", start_time=int(start_s or 0))
    for turn in view.turns.itertuples(index=False):
        at = f"{turn.start_s:,.1f} s" if view.header["medium"] == "call" else f"#{turn.turn_index}"
        line = f"**{plain(turn.speaker)}** [{at}] {plain(turn.text)}"
        if highlight is not None and turn.turn_index == highlight:
            st.warning(f"{why}: {line}")
        else:
            st.markdown(line)
