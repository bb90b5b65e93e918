"""Turn collection stages into what phones and systems capture: AI and human calls, smart SMS,
promises to pay, third-party calls, field visits with GPS, lawyer letters and complaints.

Planted here: the M2 answer-hour peak, each debtor's habitual answer hour, promises kept (a
payment follows) or broken, fake field visits (check-in far from the address), collectors who
break the contact limits, and the collection compliance rate per handler type and quarter.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ingestion.simulator.context import DAY, SECOND, SimContext, quarters_of
from ingestion.simulator.organisation import Organisation
from ingestion.simulator.records import Buffers
from ingestion.simulator.render_sales import add_call, call_timing, seconds, truth_turns
from ingestion.simulator.sampling import grouped_quota, quota_labels, quota_mask
from ingestion.simulator.scripts import CollectionSpec, collection_script
from ingestion.simulator.world import peak_weight

HUMAN_DIALS_PER_DAY = {"M1": 0.15, "M2": 0.6, "M3plus": 0.3}
AI_CALLS_PER_DAY = {"M1": 0.7, "M2": 0.4, "M3plus": 0.0}
SMS_PER_DAY = {"M1": 0.3, "M2": 0.15, "M3plus": 0.1}
FLAT_ANSWER = {"M1": 0.35, "M3plus": 0.22}
HOURS = np.arange(8, 22)
# When collectors habitually dial (local hour 8..21): the naive schedule, not the best one.
DIAL_HABIT = np.array([4, 8, 9, 7, 4, 6, 8, 7, 6, 5, 4, 3, 2, 1], dtype=float)
SMS_TEMPLATES = [
    "【{company}】尊敬的客户，您的借款已逾期{days}天，应还{amount}元，请尽快通过APP还款。",
    "【{company}】温馨提示：您本期账单{amount}元已逾期，请及时还款以免影响信用记录。",
    "【{company}】您好，您有一笔{amount}元的欠款尚未结清，如有困难可在APP申请分期。",
]
VISIT_RESULTS = np.array(["met_debtor", "not_home", "promised", "family_contacted"])


def answer_profile(ctx: SimContext, stage: str) -> np.ndarray:
    """Answer probability by local hour 8..21 for a stage (M2 carries the planted peak)."""
    if stage != "M2":
        return np.full(len(HOURS), FLAT_ANSWER[stage])
    col = ctx.world.collection
    peak = np.isin(HOURS, col.m2_peak_answer_hours)
    weight = np.where(peak, peak_weight(int(peak.sum()), col.m2_peak_answer_lift), 1.0)
    return col.m2_mean_answer_rate * weight / weight.mean()


def habitual_answer_hours(ctx: SimContext, n: int) -> np.ndarray:
    """Each debtor's habitual hour (8..21): when they are most likely to pick up."""
    return ctx.rng("answer_hours").integers(8, 22, n)


def debtor_hour_weights(ctx: SimContext, habitual: np.ndarray) -> np.ndarray:
    """Per debtor (rows) and hour 8..21 (columns), the factor on the stage's answer rate: a
    bump of ``debtor_answer_hour_lift`` at the habitual hour, fading with a 1.5 h spread, scaled
    so that each debtor's mean over the day is 1 and then so that, over debtors, every hour
    averages 1 (the stage's hour profile stays as planted, edge hours included)."""
    lift = ctx.world.collection.debtor_answer_hour_lift

    def per_debtor(hours: np.ndarray) -> np.ndarray:
        weight = 1 + lift * np.exp(-((HOURS[None, :] - hours[:, None]) ** 2) / (2 * 1.5**2))
        return weight / weight.mean(axis=1, keepdims=True)

    return per_debtor(habitual) / per_debtor(HOURS).mean(axis=0)


def render_collections(ctx: SimContext, stages: pl.DataFrame, loans: pl.DataFrame,
                       org: Organisation, out: Buffers) -> None:
    rng = ctx.rng("render_collections")
    emp = org.employees
    device = dict(zip(emp["employee_id"], emp["device_id"], strict=True))
    work_phone = dict(zip(emp["employee_id"], emp["work_phone"], strict=True))
    breaching = set(emp.filter(pl.col("breaches_conduct"))["employee_id"].to_list())
    loan_cols = {c: loans[c].to_numpy() for c in (
        "loan_id", "phone", "emergency_contact_phone", "home_lat", "home_lon",
        "trait_responsiveness", "trait_hostility", "trait_repayment_cooperation")}
    loan_cols["hour_weight"] = debtor_hour_weights(ctx, loans["answer_hour"].to_numpy())
    st = {c: stages[c].to_numpy() for c in stages.columns}
    st["entered_at"] = st["entered_at"].astype("datetime64[s]")
    st["exited_at"] = st["exited_at"].astype("datetime64[s]")
    active_from = np.maximum(st["entered_at"], ctx.start)
    active_to = np.minimum(st["exited_at"], ctx.end)
    days = np.maximum(((active_to - active_from) // DAY).astype(int), 0)

    _ai_calls_and_sms(ctx, rng, st, loan_cols, org, active_from, days, out)
    dials = _human_dials(ctx, rng, st, loan_cols, active_from, days, breaching)
    dials = pl.concat([dials, _promise_calls(ctx, rng, st, active_from, active_to),
                       _third_party_calls(rng, st, active_from, days)], how="diagonal_relaxed")
    dials = dials.filter((pl.col("at") >= int(seconds(np.array([ctx.start]))[0]))
                         & (pl.col("at") < int(seconds(np.array([ctx.end]))[0])))
    dials = dials.sort("at", "entry").with_row_index("dial_idx")
    _conversations(ctx, rng, dials, st, loan_cols, device, work_phone, breaching, out)
    _visits(ctx, rng, st, loan_cols, org, active_from, days, device, out)
    _letters_and_complaints(ctx, rng, st, active_from, active_to, out)


def _ai_calls_and_sms(ctx, rng, st, loan_cols, org, active_from, days, out) -> None:
    ai_emp = org.employees.filter(pl.col("role") == "ai_dialer")
    ai_ids, ai_devices, ai_numbers = (ai_emp[c].to_numpy() for c in
                                      ("employee_id", "device_id", "work_phone"))
    for kind, rates in (("call", AI_CALLS_PER_DAY), ("sms", SMS_PER_DAY)):
        rate = np.vectorize(rates.get)(st["stage"])
        count = rng.poisson(rate * days)
        entry = np.repeat(np.arange(len(count)), count)
        day_off = (rng.random(len(entry)) * days[entry]).astype(int)
        hour = rng.integers(9, 21, len(entry))
        at = seconds(active_from[entry].astype("datetime64[D]") + day_off) + hour * 3600 + \
            rng.integers(0, 3600, len(entry))
        at = np.maximum(at, seconds(active_from[entry]))
        who = rng.integers(0, len(ai_ids), len(entry))
        remote = loan_cols["phone"][st["loan_idx"][entry]]
        uploaded = at + rng.integers(2, 60, len(entry))
        if kind == "call":
            profile = {s: answer_profile(ctx, s) for s in HUMAN_DIALS_PER_DAY}
            rate = np.array([profile[s][h - 8] for s, h in
                             zip(st["stage"][entry], hour, strict=True)])
            rate = rate * loan_cols["hour_weight"][st["loan_idx"][entry], hour - 8]
            answered = rng.random(len(entry)) < np.clip(rate, 0, 0.95)
            talk = rng.integers(15, 70, len(entry))
            ring = rng.integers(3, 25, len(entry))
            ended = np.where(answered, at + ring + talk, at + ring + 20)
            out.extend("calls", {
                "call_id": out.id_block("CALL", len(entry)), "device_id": ai_devices[who],
                "employee_id": ai_ids[who], "local_number": ai_numbers[who],
                "remote_number": remote, "direction": np.full(len(entry), "outbound"),
                "started_at": at,
                "answered_at": [int(a + r) if ok else None
                                for a, r, ok in zip(at, ring, answered, strict=True)],
                "ended_at": ended, "duration_s": np.where(answered, talk, 0),
                "recording_ref": [None] * len(entry), "uploaded_at": ended + (uploaded - at)})
        else:
            amount = st["overdue_amount_cny"][entry]
            dpd = ((at - seconds(st["entered_at"][entry])) // 86400).astype(int) + np.vectorize(
                {"M1": 1, "M2": 31, "M3plus": 91}.get)(st["stage"][entry])
            template = rng.integers(0, len(SMS_TEMPLATES), len(entry))
            texts = [SMS_TEMPLATES[t].format(company=ctx.world.lender, days=d, amount=f"{a:.2f}")
                     for t, d, a in zip(template, dpd, amount, strict=True)]
            out.extend("sms", {
                "sms_id": out.id_block("SMS", len(entry)), "device_id": ai_devices[who],
                "employee_id": ai_ids[who], "direction": np.full(len(entry), "outbound"),
                "remote_number": remote, "text": texts, "sent_at": at, "uploaded_at": uploaded})


def _human_dials(ctx, rng, st, loan_cols, active_from, days, breaching) -> pl.DataFrame:
    rate = np.vectorize(HUMAN_DIALS_PER_DAY.get)(st["stage"])
    count = rng.poisson(rate * days)
    entry = np.repeat(np.arange(len(count)), count)
    day_off = (rng.random(len(entry)) * days[entry]).astype(int)
    hour = rng.choice(HOURS, len(entry), p=DIAL_HABIT / DIAL_HABIT.sum())
    day0 = seconds(active_from[entry].astype("datetime64[D]") + day_off)
    at = np.maximum(day0 + hour * 3600 + rng.integers(0, 3600, len(entry)),
                    seconds(active_from[entry]))
    hour = ((at - seconds(active_from[entry].astype("datetime64[D]"))) // 3600) % 24
    resp = loan_cols["trait_responsiveness"][st["loan_idx"][entry]]
    multiplier = np.exp(0.35 * resp - 0.35**2 / 2)
    profile = {s: answer_profile(ctx, s) for s in HUMAN_DIALS_PER_DAY}
    slot = np.clip(hour - 8, 0, 13)
    base = np.array([profile[s][h] for s, h in zip(st["stage"][entry], slot, strict=True)])
    habit = loan_cols["hour_weight"][st["loan_idx"][entry], slot]
    answered = rng.random(len(entry)) < np.clip(base * multiplier * habit, 0, 0.95)
    dials = pl.DataFrame({"entry": entry, "at": at, "answered": answered,
                          "purpose": np.full(len(entry), "collection")})
    dials = _within_limits(dials, st)
    return pl.concat([dials, _breaches(rng, st, active_from, days, breaching)],
                     how="diagonal_relaxed")


def _within_limits(dials: pl.DataFrame, st) -> pl.DataFrame:
    """Collectors who keep the rules stop at 3 answered calls a debtor a day and 6 unanswered
    dials a number a day."""
    day = pl.col("at") // 86400
    loan = pl.Series(st["loan_idx"])[dials["entry"]]
    return (
        dials.with_columns(loan=loan, day=day)
        .with_columns(k=pl.int_range(pl.len()).over("loan", "day", "answered", order_by="at"))
        .filter(pl.when(pl.col("answered")).then(pl.col("k") < 3).otherwise(pl.col("k") < 6))
        .drop("loan", "day", "k")
    )


def _breaches(rng, st, active_from, days, breaching) -> pl.DataFrame:
    """Bursts of unanswered dials (7-9 in an hour) and dials in quiet hours by the collectors
    who break the rules."""
    guilty = np.flatnonzero(np.isin(st["collector_id"], list(breaching)) & (days > 0))
    chosen = guilty[rng.random(len(guilty)) < 0.3]
    burst = rng.integers(7, 10, len(chosen))
    entry = np.repeat(chosen, burst)
    day0 = np.repeat(seconds(active_from[chosen].astype("datetime64[D]"))
                     + (rng.random(len(chosen)) * days[chosen]).astype(int) * 86400, burst)
    at = day0 + 14 * 3600 + rng.integers(0, 3600, len(entry))
    quiet = guilty[rng.random(len(guilty)) < 0.3]
    q_at = (seconds(active_from[quiet].astype("datetime64[D]"))
            + (rng.random(len(quiet)) * days[quiet]).astype(int) * 86400
            + rng.choice([7, 22], len(quiet)) * 3600 + rng.integers(0, 3600, len(quiet)))
    return pl.DataFrame({
        "entry": np.r_[entry, quiet], "at": np.r_[at, q_at],
        "answered": np.r_[np.zeros(len(entry), bool), rng.random(len(quiet)) < 0.5],
        "purpose": np.r_[np.full(len(entry), "collection"), np.full(len(quiet), "collection")],
    })


def _promise_calls(ctx, rng, st, active_from, active_to) -> pl.DataFrame:
    """A promise precedes every payment (kept); some debtors who never pay promise anyway."""
    paid_at = st["paid_at"].astype("datetime64[s]")
    payer = ~np.isnat(paid_at)
    kept_idx = np.flatnonzero(payer)
    lead_days = rng.integers(0, 5, len(kept_idx))
    kept_at = np.maximum(paid_at[kept_idx] - lead_days * DAY, st["entered_at"][kept_idx])
    kept_at = kept_at.astype("datetime64[D]") + rng.integers(9, 20, len(kept_idx)) * 3600 * SECOND
    kept_at = np.minimum(kept_at, paid_at[kept_idx] - 3600 * SECOND)
    broken_idx = np.flatnonzero(~payer & (rng.random(len(payer)) < 0.4)
                                & (active_to > active_from))
    span = ((active_to[broken_idx] - active_from[broken_idx]) // SECOND).astype(np.int64)
    broken_at = active_from[broken_idx] + (rng.random(len(broken_idx)) * span).astype(int) * SECOND
    promised_for = np.r_[paid_at[kept_idx],
                         broken_at + rng.integers(3, 8, len(broken_idx)) * DAY]
    amount = np.r_[st["paid_cny"][kept_idx],
                   np.round(st["overdue_amount_cny"][broken_idx] * rng.uniform(0.3, 1.0,
                                                                               len(broken_idx)))]
    return pl.DataFrame({
        "entry": np.r_[kept_idx, broken_idx],
        "at": seconds(np.r_[kept_at, broken_at]),
        "answered": np.ones(len(kept_idx) + len(broken_idx), bool),
        "purpose": np.full(len(kept_idx) + len(broken_idx), "promise"),
        "promise_for": seconds(promised_for),
        "promise_amount": np.round(amount).astype(int),
        "promise_kept": np.r_[np.ones(len(kept_idx), bool), np.zeros(len(broken_idx), bool)],
    })


def _third_party_calls(rng, st, active_from, days) -> pl.DataFrame:
    eligible = np.flatnonzero((st["stage"] != "M1") & (days > 0) & (rng.random(len(days)) < 0.15))
    count = rng.integers(1, 3, len(eligible))
    entry = np.repeat(eligible, count)
    at = (seconds(active_from[entry].astype("datetime64[D]"))
          + (rng.random(len(entry)) * days[entry]).astype(int) * 86400
          + rng.integers(10, 19, len(entry)) * 3600 + rng.integers(0, 3600, len(entry)))
    return pl.DataFrame({"entry": entry, "at": at, "answered": rng.random(len(entry)) < 0.6,
                         "purpose": np.full(len(entry), "third_party")})


def _mood(rng, hostility: float, cooperation: float) -> str:
    if hostility > 1.2 and rng.random() < 0.7:
        return "hostile"
    if rng.random() < 0.05:
        return "denial"
    if cooperation > 0.3:
        return "cooperative" if rng.random() < 0.7 else "hardship"
    return str(rng.choice(["hardship", "refusal", "cooperative"], p=[0.4, 0.35, 0.25]))


def _conversations(ctx, rng, dials, st, loan_cols, device, work_phone, breaching, out) -> None:
    entry = dials["entry"].to_numpy()
    at = dials["at"].to_numpy()
    answered = dials["answered"].to_numpy()
    purpose = dials["purpose"].to_numpy()
    has_promise = "promise_for" in dials.columns
    promise_for = dials["promise_for"].to_numpy() if has_promise else None
    promise_amount = dials["promise_amount"].to_numpy() if has_promise else None
    promise_kept = dials["promise_kept"].to_numpy() if has_promise else None
    quarter = quarters_of(at.astype("datetime64[s]"))
    handler = st["handler_type"][entry]
    group = np.char.add(np.char.add(handler.astype(str), "|"), quarter)
    rates = {f"{h}|{q}": 1 - ctx.world.collection_compliance(h, q)
             for h in ("in_house", "agency") for q in ctx.world.quarters}
    violating = np.zeros(len(entry), bool)
    talk = np.flatnonzero(answered)
    violating[talk] = grouped_quota(rng, group[talk], rates)
    violation = np.full(len(entry), None, dtype=object)
    for key in sorted(set(group[violating].tolist())):
        idx = np.flatnonzero(violating & (group == key))
        violation[idx] = quota_labels(rng, len(idx), ctx.world.collection.violation_mix)
    private_number = {}
    for i in range(len(entry)):
        e = entry[i]
        collector = st["collector_id"][e]
        loan = st["loan_idx"][e]
        third = purpose[i] == "third_party"
        remote = loan_cols["emergency_contact_phone" if third else "phone"][loan]
        local = work_phone[collector]
        if collector in breaching and rng.random() < 0.05:
            local = private_number.setdefault(collector, f"1{rng.integers(3, 9)}"
                                              f"{rng.integers(0, 10**9):09d}")
        t0 = int(at[i])
        ring = int(rng.integers(3, 25))
        if not answered[i]:
            add_call(out, collector, device[collector], local, remote, t0, None,
                     t0 + ring + 20, rng)
            continue
        promise = None
        if has_promise and promise_for[i] is not None and not np.isnan(promise_for[i]):
            day = np.datetime64(int(promise_for[i]), "s").astype("datetime64[D]").astype(object)
            promise = (int(promise_amount[i]), f"{day.month}月{day.day}日")
        label = violation[i] if not (third and violation[i] not in (
            "third_party_disclosure", "abusive_language")) else "third_party_disclosure"
        spec = CollectionSpec(
            stage=st["stage"][e], amount=int(round(st["overdue_amount_cny"][e])),
            days_overdue=int((t0 - seconds(np.array([st["entered_at"][e]]))[0]) // 86400),
            promise=promise, vague_promise=promise is None and rng.random() < 0.2,
            mood=_mood(rng, loan_cols["trait_hostility"][loan],
                       loan_cols["trait_repayment_cooperation"][loan]),
            violation=label, third_party=bool(third), company=ctx.world.lender)
        turns = collection_script(rng, spec)
        timing = call_timing(rng, turns)
        base = t0 + ring
        call_id = add_call(out, collector, device[collector], local, remote, t0, base,
                           base + int(np.ceil(timing[-1][1])) + 1, rng)
        conversation_id = out.next_id("CC")
        out.add("truth_conversations", conversation_id=conversation_id, context="collection",
                medium="call", business_line=None, quarter=quarter[i], lead_id=None,
                case_id=st["case_id"][e], employee_id=collector,
                handler_type=st["handler_type"][e], agency_id=st["agency_id"][e],
                started_at=t0, call_id=call_id, kind=purpose[i], stage=st["stage"][e],
                compliant=label is None, violation=label, concealment_by_omission=False,
                priced=False, pitch=None, intent=None, demand=None, channel=None)
        truth_turns(out, conversation_id, turns, [base + s for s, _ in timing],
                    [base + x for _, x in timing], [None] * len(turns), base)
        if promise:
            out.add("truth_promises", conversation_id=conversation_id, call_id=call_id,
                    case_id=st["case_id"][e], loan_id=loan_cols["loan_id"][loan],
                    promised_at=t0, promised_for=int(promise_for[i]),
                    amount_cny=int(promise_amount[i]), kept=bool(promise_kept[i]))


def _visits(ctx, rng, st, loan_cols, org, active_from, days, device, out) -> None:
    m3 = np.flatnonzero((st["stage"] == "M3plus") & (days > 0))
    count = rng.integers(1, 3, len(m3))
    entry = np.repeat(m3, count)
    n = len(entry)
    handler_key = np.where(st["handler_type"][entry] == "in_house", "in_house",
                           st["agency_id"][entry].astype(str))
    agent = org.field_agent(rng, handler_key)
    day = seconds(active_from[entry].astype("datetime64[D]")) + (
        rng.random(n) * days[entry]).astype(int) * 86400
    fake = quota_mask(rng, n, ctx.world.collection.fake_visit_rate)
    loan = st["loan_idx"][entry]
    home_lat, home_lon = loan_cols["home_lat"][loan], loan_cols["home_lon"][loan]
    # Where the agent really is while not at a real visit: 3-15 km from the address.
    bearing = rng.uniform(0, 2 * np.pi, n)
    dist_km = rng.uniform(3, 15, n)
    base_lat = home_lat + dist_km / 111 * np.sin(bearing)
    base_lon = home_lon + dist_km / (111 * np.cos(np.radians(home_lat))) * np.cos(bearing)
    near = rng.uniform(0, 60, n) / 111_000
    lat = np.where(fake, base_lat, home_lat + near * np.sin(bearing))
    lon = np.where(fake, base_lon, home_lon + near * np.cos(bearing))
    checkin = day + rng.integers(9 * 3600, 17 * 3600, n)
    visit_ids = out.id_block("VIS", n)
    out.extend("visit_checkins", {
        "checkin_id": out.id_block("CHK", n), "device_id": [device[a] for a in agent],
        "employee_id": agent, "visit_id": visit_ids, "case_id": st["case_id"][entry],
        "checked_in_at": checkin, "lat": np.round(lat, 6), "lon": np.round(lon, 6),
        "result": rng.choice(VISIT_RESULTS, n),
        "recording_ref": [None if (f and rng.random() < 0.6) else f"onsite/{v}.m4a"
                          for f, v in zip(fake, visit_ids, strict=True)],
        "uploaded_at": checkin + rng.integers(5, 300, n)})
    out.extend("truth_visits", {"visit_id": visit_ids, "case_id": st["case_id"][entry],
                                "employee_id": agent, "fake": fake,
                                "home_lat": home_lat, "home_lon": home_lon})
    # GPS: a ping every 10 minutes for 90 minutes around the check-in; real visits approach the
    # address and stay, fake ones stay where the agent is.
    k = np.arange(-4, 5)
    ping_at = (checkin[:, None] + k[None, :] * 600).ravel()
    frac = np.clip(1 - np.abs(k) / 3, 0, 1)[None, :]
    p_lat = np.where(fake[:, None], base_lat[:, None],
                     base_lat[:, None] + (lat - base_lat)[:, None] * frac)
    p_lon = np.where(fake[:, None], base_lon[:, None],
                     base_lon[:, None] + (lon - base_lon)[:, None] * frac)
    jitter = rng.normal(0, 0.0002, (2, len(ping_at)))
    out.extend("gps_pings", {
        "ping_id": out.id_block("GPS", len(ping_at)),
        "device_id": np.repeat([device[a] for a in agent], len(k)),
        "employee_id": np.repeat(agent, len(k)), "recorded_at": ping_at,
        "lat": np.round(p_lat.ravel() + jitter[0], 6),
        "lon": np.round(p_lon.ravel() + jitter[1], 6),
        "accuracy_m": rng.integers(5, 40, len(ping_at)),
        "uploaded_at": ping_at + rng.integers(1, 60, len(ping_at))})


def _letters_and_complaints(ctx, rng, st, active_from, active_to, out) -> None:
    sent = seconds(st["entered_at"]) + 15 * 86400 + rng.integers(9 * 3600, 18 * 3600,
                                                                 len(st["stage"]))
    letter = (st["stage"] == "M3plus") & (sent < seconds(active_to)) & (sent >= seconds(
        active_from))
    idx = np.flatnonzero(letter)
    out.extend("legal_letters", {"letter_id": out.id_block("LTR", len(idx)),
                                 "case_id": st["case_id"][idx], "sent_at": sent[idx],
                                 "template": np.full(len(idx), "律师函-逾期还款提醒")})
    in_period = st["entered_at"] >= ctx.start
    for stage, spec in ctx.world.collection.stages.items():
        idx = np.flatnonzero(in_period & (st["stage"] == stage) & (active_to > active_from))
        weight = np.where(st["handler_type"][idx] == "agency", 1.5, 1.0)
        chosen = idx[quota_mask(rng, len(idx), spec.complaint_rate, weight)]
        span = ((active_to[chosen] - active_from[chosen]) // SECOND).astype(np.int64)
        at = seconds(active_from[chosen]) + (rng.random(len(chosen)) * span).astype(np.int64)
        out.extend("complaints", {
            "complaint_id": out.id_block("CMP", len(chosen)), "received_at": at,
            "category": np.full(len(chosen), "collection"), "case_id": st["case_id"][chosen],
            "lead_id": [None] * len(chosen), "stage": st["stage"][chosen],
            "employee_id": st["collector_id"][chosen],
            "description": rng.choice(["催收频繁打扰", "催收人员态度恶劣", "联系家人朋友",
                                       "威胁上门", "号码被频繁拨打"], len(chosen))})
