"""Acquisition: leads from channels, daily marketing spend, and who converts.

Per business line, quarter and channel the world plants the share of acquired customers, the
cost per acquired customer and the lead-to-customer conversion rate. Customers are split by
share exactly; leads = customers / conversion rate; spend = CAC x customers, spread over days.
Who converts carries the pitch effect (低息分期 converts better than 高额度) and intent.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ingestion.simulator import identities
from ingestion.simulator.context import DAY, SECOND, SimContext, at_hour
from ingestion.simulator.sampling import largest_remainder, quota_mask
from ingestion.simulator.world import BEHAVIOUR_INDICATORS, CHANNELS

# City tier mix of leads by channel (tiers 1..4).
TIER_MIX = {
    "short_video": [0.20, 0.30, 0.28, 0.22],
    "offline_scene": [0.10, 0.25, 0.35, 0.30],
    "own_online": [0.35, 0.35, 0.18, 0.12],
    "third_party_platform": [0.25, 0.35, 0.25, 0.15],
}
# Intent of leads that do not convert, by channel: high, wait, none.
INTENT_MIX = {
    "short_video": [0.10, 0.40, 0.50],
    "offline_scene": [0.25, 0.45, 0.30],
    "own_online": [0.15, 0.45, 0.40],
    "third_party_platform": [0.20, 0.45, 0.35],
}
CONVERTER_INTENT = [0.75, 0.25, 0.0]
# Median minutes from lead to first contact, by channel.
FIRST_RESPONSE_MIN = {
    "short_video": 25, "offline_scene": 12, "own_online": 4, "third_party_platform": 8,
}
OTHER_DEMANDS = {
    "consumer": {
        "demand_interest_free": 0.28, "demand_flexible_repayment": 0.28,
        "demand_education": 0.12, "demand_travel": 0.12, "demand_car_instalment": 0.03,
    },
    "auto": {
        "demand_car_instalment": 0.60, "demand_flexible_repayment": 0.15,
        "demand_interest_free": 0.10, "demand_travel": 0.03, "demand_education": 0.02,
    },
}


def simulate_leads(ctx: SimContext) -> pl.DataFrame:
    """One row per lead, with the lead's latent traits (kept in the ground truth only)."""
    world = ctx.world
    rng = ctx.rng("acquisition")
    parts: list[dict[str, np.ndarray]] = []
    for line_name, line in world.business_lines.items():
        channels = [c for c in CHANNELS if c in line.channels]
        for q_index, (quarter, q_start, q_end) in enumerate(ctx.quarter_bounds()):
            customers = largest_remainder(
                ctx.scale.customers_per_line_quarter,
                np.array([line.channels[c].share for c in channels]),
            )
            for channel, n_customers in zip(channels, customers, strict=True):
                conv = line.channels[channel].conversion_rate
                n_leads = max(int(round(n_customers / conv)), int(n_customers))
                parts.append(
                    _leads_of(ctx, rng, line_name, channel, quarter, q_index, q_start, q_end,
                              n_leads, int(n_customers))
                )
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    n = len(cols["line"])
    order = np.lexsort((cols["channel"], cols["created_at"]))
    cols = {k: v[order] for k, v in cols.items()}
    cols["lead_id"] = np.char.add("L", np.char.zfill(np.arange(1, n + 1).astype(str), 8))
    city = cols["city_idx"]
    ages = rng.integers(21, 56, n)
    people = {
        "name": identities.names(rng, n),
        "phone": identities.phone_numbers(rng, n),
        "id_number": identities.id_numbers(rng, city, ages, world.period.start.year),
        "wechat_id": np.char.add("wxid_", _hex_ids(rng, n)),
        "age": ages,
        "city": identities.CITY_NAMES[city],
        "city_tier": identities.CITY_TIERS[city],
    }
    traits = {f"trait_{t}": rng.standard_normal(n) for t in BEHAVIOUR_INDICATORS}
    bureau = np.clip(rng.normal(640, 70, n), 350, 900).round().astype(int)
    true_income = np.round(np.exp(rng.normal(8.9, 0.45, n)), -2).astype(int)
    truthful = traits["trait_income_truthfulness"] > -0.8
    stated = np.where(
        truthful,
        np.round(true_income * rng.uniform(0.95, 1.05, n), -2),
        np.round(true_income * rng.uniform(1.3, 2.0, n), -2),
    ).astype(int)
    frame = pl.DataFrame(
        cols | people | traits | {
            "bureau_score": bureau,
            "true_monthly_income": true_income,
            "stated_monthly_income": stated,
            "income_truthful": truthful,
        }
    )
    return frame.select("lead_id", pl.exclude("lead_id"))


def _leads_of(ctx, rng, line_name, channel, quarter, q_index, q_start, q_end,
              n_leads, n_customers) -> dict[str, np.ndarray]:
    world = ctx.world
    low_share = world.low_rate_share(quarter)
    pitch = np.where(rng.random(n_leads) < low_share, "low_rate", "high_limit")
    lift = world.sales_pitch.low_rate_conversion_lift
    converted = quota_mask(rng, n_leads, n_customers / n_leads,
                           np.where(pitch == "low_rate", 1.0 + lift, 1.0))
    # Converters arrive early enough that their loan is disbursed within the same quarter.
    span_days = int((q_end - q_start) // DAY)
    day = rng.integers(0, span_days, n_leads)
    day = np.where(converted, rng.integers(0, max(span_days - 12, 1), n_leads), day)
    hours = rng.choice(np.arange(8, 23), n_leads,
                       p=_normalise([1, 2, 3, 3, 2, 2, 3, 3, 3, 2, 3, 4, 4, 3, 2]))
    created = at_hour(q_start.astype("datetime64[D]") + day, hours, rng)
    tier_idx = rng.choice(4, n_leads, p=TIER_MIX[channel])
    city_idx = _city_in_tier(rng, tier_idx + 1)
    intent = np.where(
        converted,
        rng.choice(["high", "wait", "none"], n_leads, p=CONVERTER_INTENT),
        rng.choice(["high", "wait", "none"], n_leads, p=INTENT_MIX[channel]),
    )
    demand = _demands(ctx, rng, line_name, q_index, tier_idx + 1)
    delay = np.exp(rng.normal(np.log(FIRST_RESPONSE_MIN[channel]), 0.6, n_leads))
    return {
        "line": np.full(n_leads, line_name),
        "channel": np.full(n_leads, channel),
        "quarter": np.full(n_leads, quarter),
        "created_at": created.astype("datetime64[us]"),
        "first_contact_at": (created + (delay * 60).astype(int) * SECOND).astype("datetime64[us]"),
        "city_idx": city_idx,
        "pitch": pitch,
        "intent": intent,
        "demand": demand,
        "converted": converted,
    }


def _demands(ctx, rng, line_name, q_index, tiers) -> np.ndarray:
    demand = ctx.world.product_demand
    growth = (1 + demand.renovation_growth_qoq_tier34) ** q_index
    base = demand.renovation_base_share * (0.3 if line_name == "auto" else 1.0)
    renovation = np.where(tiers >= 3, base * growth, base)
    others = OTHER_DEMANDS[line_name]
    names = list(others)
    other_p = _normalise([others[k] for k in names])
    pick_other = rng.choice(np.array(names), len(tiers), p=other_p)
    return np.where(rng.random(len(tiers)) < np.clip(renovation, 0, 0.9),
                    "demand_home_renovation", pick_other)


def _city_in_tier(rng, tiers: np.ndarray) -> np.ndarray:
    out = np.empty(len(tiers), dtype=int)
    for tier in range(1, 5):
        members = np.flatnonzero(tier == identities.CITY_TIERS)
        idx = np.flatnonzero(tiers == tier)
        out[idx] = rng.choice(members, len(idx))
    return out


def _hex_ids(rng, n: int) -> np.ndarray:
    return np.array([f"{v:012x}" for v in rng.integers(0, 2**48, n).tolist()])


def _normalise(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def simulate_spend(ctx: SimContext, leads: pl.DataFrame) -> pl.DataFrame:
    """Daily spend per line and channel whose quarter total is CAC x customers of the quarter."""
    rng = ctx.rng("spend")
    customers = (
        leads.filter(pl.col("converted"))
        .group_by("line", "channel", "quarter")
        .len("customers")
        .sort("line", "channel", "quarter")
    )
    bounds = {q: (a, b) for q, a, b in ctx.quarter_bounds()}
    rows = []
    for line_name, channel, quarter, n in customers.iter_rows():
        cac = ctx.world.business_lines[line_name].channels[channel].cac_cny
        lo, hi = bounds[quarter]
        days = np.arange(lo.astype("datetime64[D]"), hi.astype("datetime64[D]"))
        weekday = (days.astype(int) + 3) % 7
        weights = rng.gamma(8.0, 1.0, len(days)) * np.where(weekday >= 5, 1.25, 1.0)
        cents = largest_remainder(int(round(cac * n * 100)), weights)
        impressions = (cents / 100 * rng.uniform(40, 60, len(days))).astype(int)
        clicks = (impressions * rng.uniform(0.01, 0.03, len(days))).astype(int)
        for d, c, imp, clk in zip(days, cents, impressions, clicks, strict=True):
            rows.append((d.astype(object), line_name, channel, c / 100, int(imp), int(clk)))
    return pl.DataFrame(
        rows,
        schema=["date", "business_line", "channel", "spend_cny", "impressions", "clicks"],
        orient="row",
    )
