"""Loans: the new loans of converted leads, the back book in collection, schedules and defaults.

Default of a new loan depends on the applicant's bureau score and on ten communication
behaviour traits (``credit.behaviour_effects``), so that a credit model can gain over the bureau
score alone. The back book (loans disbursed before the period) supplies the collection stock.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ingestion.simulator import identities
from ingestion.simulator.context import DAY, SimContext
from ingestion.simulator.sampling import intercept_for_mean, sigmoid
from ingestion.simulator.world import BEHAVIOUR_INDICATORS

# Traits where a higher value means more risk; the others lower it.
RISK_RAISING = ("hostility", "complaint_propensity", "private_channel_requests")
PRODUCT = {"consumer": "消费分期", "auto": "汽车分期"}
EMPLOYMENT = np.array(["salaried", "self_employed", "business_owner", "gig_worker"])
RELATIONS = np.array(["配偶", "父母", "兄弟姐妹", "同事", "朋友"])


def behaviour_risk(ctx: SimContext, traits: dict[str, np.ndarray]) -> np.ndarray:
    """Linear risk contribution of the behaviour traits (positive = more likely to default)."""
    effects = ctx.world.credit.behaviour_effects
    risk = np.zeros(len(next(iter(traits.values()))))
    for name in BEHAVIOUR_INDICATORS:
        sign = 1.0 if name in RISK_RAISING else -1.0
        risk += sign * effects.get(name, 0.0) * traits[name]
    return risk


def simulate_new_loans(ctx: SimContext, leads: pl.DataFrame,
                       signing_at: dict[int, np.datetime64]) -> pl.DataFrame:
    rng = ctx.rng("lending")
    idx = np.array(sorted(signing_at), dtype=int)
    sub = leads[idx]
    n = len(idx)
    line = sub["line"].to_numpy()
    disbursed = np.array([signing_at[i] for i in idx.tolist()], dtype="datetime64[s]")
    disbursed = disbursed + rng.integers(20, 30, n) * (DAY // 24)
    bureau = sub["bureau_score"].to_numpy()
    traits = {t: sub[f"trait_{t}"].to_numpy() for t in BEHAVIOUR_INDICATORS}
    z_bureau = (bureau - 640) / 70
    linear = -ctx.world.credit.bureau_effect * z_bureau + behaviour_risk(ctx, traits)
    intercept = intercept_for_mean(linear, ctx.world.credit.base_default_rate)
    p_default = sigmoid(intercept + linear)
    loans = _loan_terms(ctx, rng, line, sub["city_idx"].to_numpy())
    return pl.DataFrame({
        "lead_idx": idx,
        "lead_id": sub["lead_id"],
        "line": line,
        "disbursed_at": disbursed.astype("datetime64[us]"),
        "bureau_score": bureau,
        "stated_monthly_income": sub["stated_monthly_income"],
        "age": sub["age"],
        "name": sub["name"],
        "phone": sub["phone"],
        "id_number": sub["id_number"],
        "city_idx": sub["city_idx"],
        "p_default": p_default,
        "defaulted": rng.random(n) < p_default,
        "back_book": np.zeros(n, bool),
        "first_missed": rng.choice([1, 2, 3], n, p=[0.5, 0.3, 0.2]),
    } | loans | {f"trait_{t}": traits[t] for t in BEHAVIOUR_INDICATORS})


def simulate_back_book(ctx: SimContext, n: int, episode_start: np.ndarray) -> pl.DataFrame:
    """Loans disbursed before their delinquency episode starts (all of them default)."""
    rng = ctx.rng("back_book")
    line = np.where(rng.random(n) < 0.6, "consumer", "auto")
    city = rng.integers(0, len(identities.CITIES), n)
    ages = rng.integers(21, 56, n)
    missed = rng.choice([1, 2, 3, 4, 5, 6], n)
    disbursed = (episode_start - 1 * DAY - missed * 30 * DAY).astype("datetime64[s]")
    loans = _loan_terms(ctx, rng, line, city)
    return pl.DataFrame({
        "lead_idx": np.full(n, -1),
        "lead_id": pl.Series([None] * n, dtype=pl.String),
        "line": line,
        "disbursed_at": disbursed.astype("datetime64[us]"),
        "bureau_score": np.clip(rng.normal(600, 70, n), 350, 900).round().astype(int),
        "stated_monthly_income": np.round(np.exp(rng.normal(8.8, 0.45, n)), -2).astype(int),
        "age": ages,
        "name": identities.names(rng, n),
        "phone": identities.phone_numbers(rng, n),
        "id_number": identities.id_numbers(rng, city, ages, ctx.world.period.start.year),
        "city_idx": city,
        "p_default": np.ones(n),
        "defaulted": np.ones(n, bool),
        "back_book": np.ones(n, bool),
        "first_missed": missed,
    } | loans | {f"trait_{t}": rng.standard_normal(n) for t in BEHAVIOUR_INDICATORS})


def _loan_terms(ctx: SimContext, rng, line: np.ndarray, city: np.ndarray) -> dict:
    n = len(line)
    principal = np.zeros(n)
    apr = np.zeros(n)
    term = np.zeros(n, dtype=int)
    for name, spec in ctx.world.business_lines.items():
        m = line == name
        lo, hi = spec.loan.principal_cny
        principal[m] = np.round(np.exp(rng.uniform(np.log(lo), np.log(hi), m.sum())), -2)
        apr[m] = np.round(rng.uniform(*spec.loan.apr, m.sum()), 4)
        term[m] = rng.choice(spec.loan.term_months, m.sum())
    monthly = apr / 12
    installment = np.round(principal * monthly / (1 - (1 + monthly) ** -term), 2)
    lat = identities.CITY_LAT[city] + rng.normal(0, 0.04, n)
    lon = identities.CITY_LON[city] + rng.normal(0, 0.04, n)
    return {
        "product": np.vectorize(PRODUCT.get)(line),
        "principal_cny": principal,
        "apr": apr,
        "term_months": term,
        "installment_cny": installment,
        "employment_type": rng.choice(EMPLOYMENT, n, p=[0.55, 0.2, 0.1, 0.15]),
        "home_lat": np.round(lat, 6),
        "home_lon": np.round(lon, 6),
        "bank_card": identities.bank_cards(rng, n),
        "emergency_contact_phone": identities.phone_numbers(rng, n),
        "emergency_contact_relation": rng.choice(RELATIONS, n),
    }


def due_dates(disbursed: np.ndarray, installment_no: np.ndarray) -> np.ndarray:
    """Due date of instalment ``k``: the disbursal day-of-month, ``k`` months later (day <= 28)."""
    day = disbursed.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    dom = np.minimum((day - month).astype(int), 27)
    return (month + installment_no).astype("datetime64[D]") + dom
