"""Turn the sales plan into what work phones capture: calls, WeChat messages, friend adds and
e-signatures, with the script of every conversation kept in the ground truth."""

from __future__ import annotations

import numpy as np
import polars as pl

from ingestion.simulator.organisation import Organisation
from ingestion.simulator.records import Buffers
from ingestion.simulator.scripts import SalesSpec, Turn, sales_script

EPOCH = np.datetime64(0, "s")


def seconds(ts: np.ndarray) -> np.ndarray:
    return ((ts.astype("datetime64[s]") - EPOCH) // np.timedelta64(1, "s")).astype(np.int64)


def call_timing(rng: np.random.Generator, turns: list[Turn]) -> list[tuple[float, float]]:
    """Start and end (seconds from answer) of each spoken turn: speech plus pauses."""
    out, clock = [], 0.5
    for turn in turns:
        length = max(1.2, len(turn.text) * rng.uniform(0.2, 0.26))
        out.append((round(clock, 2), round(clock + length, 2)))
        clock += length + rng.uniform(0.3, 1.2)
    return out


def render_sales(ctx, leads: pl.DataFrame, plan: pl.DataFrame, attempts: pl.DataFrame,
                 org: Organisation, out: Buffers) -> None:
    rng = ctx.rng("render_sales")
    employees = org.employees
    device = dict(zip(employees["employee_id"], employees["device_id"], strict=True))
    work_phone = dict(zip(employees["employee_id"], employees["work_phone"], strict=True))
    app_of = {e: ("wecom" if i % 3 == 0 else "wechat")
              for i, e in enumerate(employees["employee_id"].to_list())}
    line = leads["line"].to_numpy()
    rep = np.empty(leads.height, dtype=object)
    for name, pool in org.reps.items():
        m = line == name
        rep[m] = rng.choice(pool, int(m.sum()))
    lead = {c: leads[c].to_numpy() for c in
            ("lead_id", "phone", "wechat_id", "pitch", "intent", "demand",
             "true_monthly_income", "channel", "trait_information_consistency",
             "trait_engagement", "trait_hostility", "trait_responsiveness",
             "trait_repayment_cooperation", "trait_promise_keeping",
             "trait_complaint_propensity", "trait_private_channel_requests")}
    out.extend("truth_lead_reps", {"lead_id": lead["lead_id"], "employee_id": rep})

    for lead_idx, started in attempts.iter_rows():
        emp = rep[lead_idx]
        t0 = int(seconds(np.array([started]))[0])
        ring = int(rng.integers(20, 46))
        add_call(out, emp, device[emp], work_phone[emp], lead["phone"][lead_idx], t0, None,
              t0 + ring, rng)

    added: set[int] = set()
    company = ctx.world.lender
    for row in plan.iter_rows(named=True):
        i = row["lead_idx"]
        emp = rep[i]
        line_name = row["line"]
        terms = ctx.world.business_lines[line_name].loan
        amount = int(round(rng.uniform(*terms.principal_cny), -3))
        spec = SalesSpec(
            pitch=lead["pitch"][i], intent=lead["intent"][i],
            demand=lead["demand"][i] if row["kind"] != "signing" and rng.random() < 0.8 else None,
            violation=row["violation"], concealment_by_omission=row["concealment_by_omission"],
            priced=row["priced"], stage=row["kind"],
            income=int(lead["true_monthly_income"][i]),
            p_evasive=_logistic(-2.0 - 1.2 * lead["trait_information_consistency"][i]),
            p_question=_logistic(-1.2 + 0.9 * lead["trait_engagement"][i]),
            p_hostile=_logistic(-5.0 + 1.5 * lead["trait_hostility"][i]),
            # Credit behaviour before the loan (credit.behaviour_effects, scripts.py).
            p_plan_answer=0.0 if row["kind"] == "first" else 0.8,
            p_plan_resist=_logistic(-1.0 - 1.2 * lead["trait_repayment_cooperation"][i]),
            p_doc_promise=0.0 if row["kind"] == "signing" else 0.5,
            p_doc_kept=_logistic(1.0 + 1.3 * lead["trait_promise_keeping"][i]),
            p_complaint=_logistic(-2.8 + 1.1 * lead["trait_complaint_propensity"][i]),
            p_private=_logistic(-2.8 + 1.2 * lead["trait_private_channel_requests"][i]),
            objection=row["objection"],
            phone=lead["phone"][i] if row["phone_share"] else None,
            apr=float(rng.uniform(*terms.apr)), amount=int(amount / 12),
            limit=amount, product="汽车分期" if line_name == "auto" else "消费分期",
            company=company,
        )
        turns = sales_script(rng, spec)
        t0 = int(seconds(np.array([row["started_at"]]))[0])
        conversation_id = out.next_id("SC")
        call_id = None
        if row["medium"] == "call":
            timing = call_timing(rng, turns)
            ring = int(rng.integers(3, 18))
            call_id = add_call(out, emp, device[emp], work_phone[emp], lead["phone"][i], t0,
                            t0 + ring, t0 + ring + int(np.ceil(timing[-1][1])) + 1, rng)
            message_ids = [None] * len(turns)
            base = t0 + ring
            starts = [base + s for s, _ in timing]
            ends = [base + e for _, e in timing]
        else:
            app = app_of[emp]
            if i not in added:
                added.add(i)
                add_friend_add(out, emp, device[emp], app, lead["wechat_id"][i], lead["phone"][i],
                            t0 - int(rng.integers(30, 600)), rng)
            base = t0
            starts, message_ids, clock = [], [], t0
            for k, turn in enumerate(turns):
                mid = out.next_id("MSG")
                direction = "sent" if turn.speaker == "agent" else "received"
                out.add("messages", message_id=mid, device_id=device[emp], employee_id=emp,
                        app=app, peer_id=lead["wechat_id"][i], direction=direction,
                        msg_type="text", text=turn.text, sent_at=clock,
                        uploaded_at=clock + int(rng.integers(1, 30)))
                starts.append(clock)
                message_ids.append(mid)
                # The wait before the next message: unresponsive customers take longer to
                # reply (the customer's own turns; the agent's follow within minutes).
                if k + 1 == len(turns) or turns[k + 1].speaker == "agent":
                    clock += int(rng.integers(15, 150))
                else:
                    slowness = np.exp(-0.6 * lead["trait_responsiveness"][i])
                    clock += int(rng.integers(20, 600) * slowness)
            ends = starts
            if row["violation"] == "off_book_transaction" and rng.random() < 0.5:
                add_friend_add(out, emp, device[emp], "private_wechat", lead["wechat_id"][i],
                            lead["phone"][i], clock + 60, rng)
        if row["kind"] == "signing":
            signed = int(ends[-1]) + int(rng.integers(60, 1800))
            out.add("esignatures", esign_id=out.next_id("ES"), device_id=device[emp],
                    employee_id=emp, lead_id=lead["lead_id"][i], signer_phone=lead["phone"][i],
                    document_type="loan_contract", signed_at=signed,
                    uploaded_at=signed + int(rng.integers(5, 120)))
        out.add("truth_conversations", conversation_id=conversation_id, context="sales",
                medium=row["medium"], business_line=line_name, quarter=row["quarter"],
                lead_id=lead["lead_id"][i], case_id=None, employee_id=emp,
                handler_type="in_house", agency_id=None, started_at=t0, call_id=call_id,
                kind=row["kind"], stage=None, compliant=row["violation"] is None,
                violation=row["violation"],
                concealment_by_omission=row["concealment_by_omission"],
                priced=row["priced"], pitch=lead["pitch"][i], intent=lead["intent"][i],
                demand=spec.demand, channel=lead["channel"][i])
        truth_turns(out, conversation_id, turns, starts, ends, message_ids, base)


def _logistic(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


def truth_turns(out: Buffers, conversation_id: str, turns: list[Turn], starts, ends,
                message_ids, base: float) -> None:
    """Keep the planted turns of a conversation; offsets are seconds from ``base`` (the answer
    of a call, the first message of a chat)."""
    n = len(turns)
    out.extend("truth_utterances", {
        "conversation_id": [conversation_id] * n,
        "turn": list(range(n)),
        "speaker": [t.speaker for t in turns],
        "group": [t.group for t in turns],
        "text": [t.text for t in turns],
        "labels": [",".join(t.labels) for t in turns],
        "start_s": [round(float(s - base), 2) for s in starts],
        "end_s": [round(float(e - base), 2) for e in ends],
        "message_id": message_ids,
    })


def add_call(out: Buffers, emp, device_id, local_number, remote, started, answered, ended,
          rng, direction: str = "outbound") -> str:
    call_id = out.next_id("CALL")
    out.add("calls", call_id=call_id, device_id=device_id, employee_id=emp,
            local_number=local_number, remote_number=remote, direction=direction,
            started_at=started, answered_at=answered, ended_at=ended,
            duration_s=0 if answered is None else int(ended - answered),
            recording_ref=None, uploaded_at=ended + int(rng.integers(5, 120)))
    return call_id


def add_friend_add(out: Buffers, emp, device_id, app, peer_id, peer_phone, at, rng) -> None:
    out.add("friend_adds", event_id=out.next_id("FA"), device_id=device_id, employee_id=emp,
            app=app, peer_id=peer_id, peer_phone=peer_phone, added_at=at,
            uploaded_at=at + int(rng.integers(5, 120)))
