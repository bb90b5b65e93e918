"""Sales conversations: first contacts, follow-ups and signings, and which ones violate.

Each line and quarter gets exactly ``1 - sales_compliance_rate`` of its conversations with a
violation; violating conversations carry one label each, split by ``sales_violation_mix``.
A rate concealment is either said (a concealing utterance) or done by omission (a priced
conversation with no annualised-rate disclosure), half and half.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ingestion.simulator.context import HOUR, SECOND, SimContext, quarters_of
from ingestion.simulator.sampling import grouped_quota, quota_labels

INTENT_CONTACT = {"high": 1.6, "wait": 1.0, "none": 0.5}
OBJECTIONS = np.array(["objection_rate_too_high", "objection_limit_too_low",
                       "objection_procedure"])


def plan_sales_conversations(ctx: SimContext, leads: pl.DataFrame) -> tuple[pl.DataFrame,
                                                                           pl.DataFrame]:
    """(conversations with content, unanswered dial attempts) for every lead."""
    rng = ctx.rng("sales")
    n = leads.height
    converted = leads["converted"].to_numpy()
    intent = leads["intent"].to_numpy()
    first = leads["first_contact_at"].to_numpy().astype("datetime64[s]")
    factor = np.vectorize(INTENT_CONTACT.get)(intent)
    content = converted | (rng.random(n) < np.clip(ctx.scale.contacted_lead_share * factor, 0, 1))

    # Unanswered first contacts: one to three dials a few hours apart.
    silent = np.flatnonzero(~content)
    dials = rng.integers(1, 4, len(silent))
    dial_lead = np.repeat(silent, dials)
    dial_k = np.concatenate([np.arange(k) for k in dials]) if len(dials) else np.array([], int)
    dial_at = first[dial_lead] + dial_k * rng.integers(2, 5, len(dial_lead)) * HOUR
    attempts = pl.DataFrame({"lead_idx": dial_lead, "started_at": dial_at.astype("datetime64[us]")})

    # Conversations: the first contact, then follow-ups (and a signing for converters).
    followups = np.where(converted, 2, (rng.random(n) < 0.3).astype(int))
    followups = np.where(content, followups, 0)
    per_lead = np.where(content, 1 + followups + converted.astype(int), 0)
    lead_idx = np.repeat(np.arange(n), per_lead)
    seq = np.concatenate([np.arange(k) for k in per_lead]) if n else np.array([], int)
    gap_days = np.where(converted[lead_idx], rng.integers(1, 3, len(lead_idx)),
                        rng.integers(1, 5, len(lead_idx)))
    gap_days = np.where(seq == 0, 0, gap_days)
    offsets = _cumsum_by_group(gap_days, lead_idx)
    hours = rng.integers(9, 21, len(lead_idx))
    day = (first[lead_idx].astype("datetime64[D]") + offsets).astype("datetime64[s]")
    started = np.where(seq == 0, first[lead_idx],
                       day + hours * HOUR + rng.integers(0, 3600, len(lead_idx)) * SECOND)
    kind = np.where(seq == 0, "first", "followup")
    kind = np.where(converted[lead_idx] & (seq == per_lead[lead_idx] - 1), "signing", kind)
    keep = started < ctx.end
    lead_idx, started, kind = lead_idx[keep], started[keep], kind[keep]
    m = len(lead_idx)

    line = leads["line"].to_numpy()[lead_idx]
    quarter = quarters_of(started)
    group = np.char.add(np.char.add(line.astype(str), "|"), quarter)
    rates = {
        f"{ln}|{q}": 1.0 - ctx.world.sales_compliance(ln, q)
        for ln in ctx.world.business_lines for q in ctx.world.quarters
    }
    violating = grouped_quota(rng, group, rates)
    violation = np.full(m, None, dtype=object)
    for key in sorted(set(group[violating].tolist())):
        idx = np.flatnonzero(violating & (group == key))
        violation[idx] = quota_labels(rng, len(idx), ctx.world.sales_violation_mix)
    omission = (violation == "rate_concealment") & (rng.random(m) < 0.5)
    priced = np.select([kind == "signing", kind == "followup"],
                       [np.ones(m, bool), rng.random(m) < 0.7], rng.random(m) < 0.55) | omission
    objection = np.where((kind != "signing") & (rng.random(m) < 0.3),
                         rng.choice(OBJECTIONS, m, p=[0.5, 0.25, 0.25]), None)
    medium = np.where(rng.random(m) < 0.4, "wechat", "call")
    conversations = pl.DataFrame({
        "lead_idx": lead_idx,
        "kind": kind,
        "medium": medium,
        "started_at": started.astype("datetime64[us]"),
        "quarter": quarter,
        "line": line,
        "violation": pl.Series(violation.tolist(), dtype=pl.String),
        "concealment_by_omission": omission,
        "priced": priced,
        "objection": pl.Series(objection.tolist(), dtype=pl.String),
        # Customers with unstable contact details change numbers and say so (the less stable,
        # the more often).
        "phone_share": rng.random(m) < 1.0 / (1.0 + np.exp(
            2.6 + 1.2 * leads["trait_contact_stability"].to_numpy()[lead_idx])),
    }).sort("started_at", "lead_idx")
    return conversations, attempts.filter(pl.col("started_at") < ctx.end)


def _cumsum_by_group(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` within runs of equal ``groups`` (groups are contiguous)."""
    total = np.cumsum(values)
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    run_start_total = np.repeat(total[starts] - values[starts], np.diff(np.r_[starts, len(values)]))
    return (total - run_start_total).astype(int)
