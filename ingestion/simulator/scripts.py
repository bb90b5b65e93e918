"""Conversation scripts: the turns of one sales or collection conversation.

A script is a list of turns, each drawn from a library group, so the labels it carries are known
by construction. The choices follow the planted world: the pitch used, the customer's intent
and demand, the behaviour traits of the customer and whether (and how) the agent violates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingestion.simulator.utterances import Group, library, negatives_for


@dataclass(frozen=True)
class Turn:
    speaker: str
    group: str
    text: str
    labels: tuple[str, ...]


@dataclass
class SalesSpec:
    pitch: str                  # low_rate | high_limit
    intent: str                 # high | wait | none
    demand: str | None          # customer demand group key
    violation: str | None       # label, or None when compliant
    concealment_by_omission: bool
    priced: bool
    stage: str                  # first | followup | signing
    income: int                 # what the customer says earning (the truth, for a liar too)
    p_evasive: float            # chance of dodging the income question
    p_question: float           # chance of asking a question (engagement)
    p_hostile: float            # chance of a hostile line (hostility)
    objection: str | None
    phone: str | None
    apr: float
    amount: int
    limit: int
    product: str
    company: str
    # Credit behaviour before the loan (defaults: none of it is said).
    p_plan_answer: float = 0.0  # chance of answering the repayment plan (repayment_cooperation)
    p_plan_resist: float = 0.0  # ... and that the answer resists it
    p_doc_promise: float = 0.0  # chance of promising to send a document (promise_keeping)
    p_doc_kept: float = 1.0     # ... and of sending it within the conversation
    p_complaint: float = 0.0    # chance of a complaint about the service (complaint_propensity)
    p_private: float = 0.0      # chance of asking for a private channel (private_channel_requests)


@dataclass
class CollectionSpec:
    stage: str                  # M1 | M2 | M3plus
    amount: int
    days_overdue: int
    promise: tuple[int, str] | None   # (amount, date text)
    vague_promise: bool
    mood: str                   # cooperative | hardship | hostile | denial | refusal
    violation: str | None
    third_party: bool
    company: str


def _line(rng: np.random.Generator, group: Group, fill: dict[str, object]) -> Turn:
    text = group.utterances[int(rng.integers(len(group.utterances)))]
    if "{" in text:
        text = text.format_map(_Fill(fill))
    return Turn(group.speaker, group.key, text, group.labels)


class _Fill(dict):
    """Placeholder values; an unknown placeholder is left as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill_common(rng: np.random.Generator) -> dict[str, object]:
    return {
        "daily_rate": f"{rng.choice([0.02, 0.03, 0.04, 0.05]):.2f}",
        "monthly_rate": f"{rng.choice([0.6, 0.8, 1.0, 1.2]):.1f}",
    }


def sales_script(rng: np.random.Generator, spec: SalesSpec) -> list[Turn]:
    lib = library()
    fill = _fill_common(rng) | {
        "apr": f"{spec.apr * 100:.1f}",
        "amount": spec.amount,
        "income": spec.income,
        "limit": spec.limit,
        "phone": spec.phone or "",
        "product": spec.product,
        "company": spec.company,
        "date": "",
    }
    turns: list[Turn] = [_line(rng, lib["greeting"], fill)]
    intent_group = {"high": "intent_high", "wait": "intent_wait", "none": "intent_none"}
    turns.append(_line(rng, lib[intent_group[spec.intent]], fill))
    if spec.stage != "signing":
        turns.append(_line(rng, lib["needs_probe"], fill))
        if spec.demand:
            turns.append(_line(rng, lib[spec.demand], fill))
        income_group = "income_evasive" if rng.random() < spec.p_evasive else "income_disclosure"
        turns.append(_line(rng, lib[income_group], fill))
        pitch_group = (
            "pitch_low_rate_instalment" if spec.pitch == "low_rate" else "pitch_high_limit"
        )
        turns.append(_line(rng, lib[pitch_group], fill))
        if spec.objection:
            turns.append(_line(rng, lib[spec.objection], fill))
            if spec.objection == "objection_rate_too_high":
                turns.append(_line(rng, lib["objection_answer_rate"], fill))
    else:
        turns.append(_line(rng, lib["application_guidance"], fill))
    if spec.priced:
        turns.append(_line(rng, lib["price_mention"], fill))
        if not (spec.violation == "rate_concealment" and spec.concealment_by_omission):
            turns.append(_line(rng, lib["rate_disclosure"], fill))
    if spec.phone:
        turns.append(_line(rng, lib["phone_share"], fill))
    if rng.random() < 0.35:
        turns.append(_line(rng, lib[str(rng.choice(["risk_warning", "privacy_notice"]))], fill))
    if rng.random() < 0.30:
        negatives = negatives_for("sales")
        if spec.concealment_by_omission:  # these state the rate the call is meant to withhold
            negatives = [g for g in negatives if g != "rate_concealment_negative"]
        turns.insert(
            int(rng.integers(2, len(turns) + 1)),
            _line(rng, lib[str(rng.choice(negatives))], fill),
        )
    if spec.violation and not (
        spec.violation == "rate_concealment" and spec.concealment_by_omission
    ):
        turns.insert(int(rng.integers(2, len(turns) + 1)), _line(rng, lib[spec.violation], fill))
    if rng.random() < spec.p_question:
        turns.append(_line(rng, lib["question_general"], fill))
    if rng.random() < spec.p_hostile:
        turns.append(_line(rng, lib["hostile"], fill))
    turns.extend(_credit_behaviour(rng, lib, spec, fill))
    turns.append(_line(rng, lib["closing"], fill))
    return turns


def _credit_behaviour(rng: np.random.Generator, lib, spec: SalesSpec, fill) -> list[Turn]:
    """The customer's credit behaviour before the loan, in what they say: the answer to the
    repayment plan, a document promised and then sent or excused, a complaint, a request for a
    private channel (the chances come from the customer's behaviour traits)."""
    turns: list[Turn] = []
    if rng.random() < spec.p_plan_answer:
        group = "repayment_plan_resist" if rng.random() < spec.p_plan_resist \
            else "repayment_plan_accept"
        turns.append(_line(rng, lib[group], fill))
    if rng.random() < spec.p_doc_promise:
        turns.append(_line(rng, lib["document_promise"], fill))
        group = "document_sent" if rng.random() < spec.p_doc_kept else "document_excuse"
        turns.append(_line(rng, lib[group], fill))
    if rng.random() < spec.p_complaint:
        turns.append(_line(rng, lib["complaint_service"], fill))
    if rng.random() < spec.p_private:
        turns.append(_line(rng, lib["private_channel_request"], fill))
    return turns


def collection_script(rng: np.random.Generator, spec: CollectionSpec) -> list[Turn]:
    lib = library()
    promise_amount, promise_date = spec.promise or (spec.amount, "")
    fill = _fill_common(rng) | {
        "amount": promise_amount if spec.promise else spec.amount,
        "date": promise_date,
        "company": spec.company,
        "apr": "",
        "income": "",
        "limit": "",
        "phone": "",
        "product": "",
    }
    turns: list[Turn] = [_line(rng, lib["greeting_verify"], fill)]
    if spec.third_party:
        turns.append(_line(rng, lib["third_party_reply"], fill))
    else:
        mood_group = {
            "cooperative": "cooperative",
            "hardship": "hardship",
            "hostile": "hostile",
            "denial": "denial",
            "refusal": "refusal",
        }[spec.mood]
        turns.append(_line(rng, lib["overdue_reminder"], fill | {"amount": spec.amount}))
        turns.append(_line(rng, lib[mood_group], fill))
        if spec.stage == "M2" or rng.random() < 0.3:
            turns.append(_line(rng, lib["fee_relief_instalment_offer"], fill))
        turns.append(_line(rng, lib["negotiation"], fill))
        if spec.promise:
            turns.append(_line(rng, lib["promise_to_pay"], fill))
            turns.append(_line(rng, lib["promise_confirmation"], fill))
        elif spec.vague_promise:
            turns.append(_line(rng, lib["promise_vague"], fill))
        if rng.random() < 0.4:
            turns.append(_line(rng, lib["lawful_consequences"], fill))
    if rng.random() < 0.30:
        turns.insert(
            int(rng.integers(1, len(turns) + 1)),
            _line(rng, lib[str(rng.choice(negatives_for("collection")))], fill),
        )
    if spec.violation:
        turns.insert(int(rng.integers(1, len(turns) + 1)), _line(rng, lib[spec.violation], fill))
    turns.append(_line(rng, lib["closing_collection"], fill))
    return turns
