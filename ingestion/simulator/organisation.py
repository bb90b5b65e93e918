"""The lender's organisation: sales teams, in-house collection teams, agencies, work phones.

Every employee has a work phone (a device id and a work number). Team sizes follow the volume
of the world so that, for example, effective follow-ups per sales rep per day land near the
planted ``followups_per_rep_day``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from ingestion.simulator import identities
from ingestion.simulator.context import SimContext

AGENCY_NAMES = ["远航资产管理有限公司", "诚信商务咨询有限公司", "恒通信息服务有限公司",
                "安和法务咨询有限公司", "鼎立催收服务有限公司", "明达资产服务有限公司",
                "华安信息咨询有限公司", "正合商务服务有限公司"]
LINE_CN = {"consumer": "消费金融", "auto": "汽车金融"}
STAGE_CN = {"M1": "M1", "M2": "M2", "M3plus": "M3+"}
TEAM_SIZE = 8
DIALS_PER_COLLECTOR_DAY = 60
VISITS_PER_AGENT_DAY = 8
AI_CALLS_PER_DEVICE_DAY = 5000


@dataclass
class Organisation:
    employees: pl.DataFrame
    agencies: pl.DataFrame
    pools: dict[tuple[str, str, str], np.ndarray]   # (role, stage, handler) -> employee ids
    reps: dict[str, np.ndarray]                     # business line -> sales rep ids
    ai_devices: np.ndarray
    agency_weights: np.ndarray

    def assign_collectors(self, rng: np.random.Generator, stage: str,
                          in_house: np.ndarray) -> tuple[np.ndarray, list, np.ndarray]:
        agency_ids = self.agencies["agency_id"].to_numpy()
        agency = rng.choice(agency_ids, len(in_house), p=self.agency_weights)
        handler = np.where(in_house, "in_house", "agency")
        collector = np.empty(len(in_house), dtype=object)
        for key in ["in_house", *agency_ids.tolist()]:
            m = in_house if key == "in_house" else (~in_house & (agency == key))
            pool = self.pools[("collector", stage, key)]
            collector[m] = rng.choice(pool, int(m.sum()))
        return handler, [None if h else a for h, a in zip(in_house, agency, strict=True)], collector

    def field_agent(self, rng: np.random.Generator, handler_key: np.ndarray) -> np.ndarray:
        out = np.empty(len(handler_key), dtype=object)
        for key in sorted(set(handler_key.tolist())):
            m = handler_key == key
            out[m] = rng.choice(self.pools[("field_agent", "M3plus", key)], int(m.sum()))
        return out


def build_organisation(ctx: SimContext, sales_per_line: dict[str, int]) -> Organisation:
    world, scale = ctx.world, ctx.scale
    rng = ctx.rng("organisation")
    days = (world.period.end - world.period.start).days + 1
    n_agencies = world.collection.agencies
    agencies = pl.DataFrame({
        "agency_id": [f"AG{i + 1:02d}" for i in range(n_agencies)],
        "agency_name": [AGENCY_NAMES[i % len(AGENCY_NAMES)] + ("" if i < len(AGENCY_NAMES)
                                                               else f"{i}")
                        for i in range(n_agencies)],
        "commission_rate_m2": np.round(rng.uniform(0.15, 0.20, n_agencies), 3),
        "commission_rate_m3plus": np.round(rng.uniform(0.20, 0.25, n_agencies), 3),
        "contract_start": [dt.date(2024, int(m), 1) for m in rng.integers(1, 13, n_agencies)],
    })
    agency_weights = rng.dirichlet(np.full(n_agencies, 4.0))
    rows: list[dict] = []

    def hire(role, count, line=None, stage=None, agency=None, team_name=None):
        ids = []
        for k in range(count):
            if k % TEAM_SIZE == 0:
                team_no = len({r["team_id"] for r in rows}) + 1
                team_id = f"T{team_no:03d}"
                team = f"{team_name}{_cn_number(k // TEAM_SIZE + 1)}组"
            emp_id = f"E{len(rows) + 1:05d}"
            rows.append({"employee_id": emp_id, "role": role, "business_line": line,
                         "stage": stage, "agency_id": agency, "team_id": team_id,
                         "team_name": team})
            ids.append(emp_id)
        return np.array(ids, dtype=object)

    reps = {}
    for line, conversations in sales_per_line.items():
        target = world.business_lines[line].followups_per_rep_day
        count = max(1, round(conversations / days / target))
        reps[line] = hire("sales_rep", count, line=line, team_name=f"{LINE_CN[line]}销售")
    pools: dict[tuple[str, str, str], np.ndarray] = {}
    m2_dials_day = scale.m1_entries_per_quarter / 91 * 0.35 * 60 * 1.0
    total_collectors = {"M1": max(2, math.ceil(m2_dials_day * 0.3 / DIALS_PER_COLLECTOR_DAY)),
                        "M2": max(2, math.ceil(m2_dials_day / DIALS_PER_COLLECTOR_DAY)),
                        "M3plus": max(2, math.ceil(m2_dials_day * 0.3 / DIALS_PER_COLLECTOR_DAY))}
    visits_day = scale.m1_entries_per_quarter / 91 * 0.2 * 2 * 0.5
    total_agents = max(2, math.ceil(visits_day / VISITS_PER_AGENT_DAY))
    share = world.collection.in_house_share
    for handler in ["in_house", *agencies["agency_id"].to_list()]:
        weight = share if handler == "in_house" else (1 - share) * agency_weights[
            agencies["agency_id"].to_list().index(handler)]
        agency = None if handler == "in_house" else handler
        label = "自营" if handler == "in_house" else f"{handler}"
        for stage, total in total_collectors.items():
            pools[("collector", stage, handler)] = hire(
                "collector", max(1, round(total * weight)), stage=stage, agency=agency,
                team_name=f"{label}催收{STAGE_CN[stage]}")
        pools[("field_agent", "M3plus", handler)] = hire(
            "field_agent", max(1, round(total_agents * weight)), stage="M3plus", agency=agency,
            team_name=f"{label}外访")
    ai_calls_day = scale.m1_entries_per_quarter / 91 * 30 * 0.7
    n_ai = max(1, math.ceil(ai_calls_day / AI_CALLS_PER_DEVICE_DAY))
    ai_ids = hire("ai_dialer", n_ai, stage="M1", team_name="智能外呼")

    n = len(rows)
    employees = pl.DataFrame(rows, orient="row")
    breach = quota_of_collectors(rng, employees, world.collection.conduct_breach_rate)
    employees = employees.with_columns(
        name=pl.Series(identities.names(rng, n)),
        work_phone=pl.Series(identities.phone_numbers(rng, n)),
        device_id=pl.Series([f"WP{i + 1:06d}" if r["role"] != "ai_dialer" else f"AI{i + 1:04d}"
                             for i, r in enumerate(rows)]),
        hired_at=pl.Series([dt.date(2022, 1, 1) + dt.timedelta(days=int(d))
                            for d in rng.integers(0, 1000, n)]),
        breaches_conduct=pl.Series(breach),
    )
    return Organisation(employees, agencies, pools, reps, ai_ids, agency_weights)


def quota_of_collectors(rng, employees: pl.DataFrame, rate: float) -> np.ndarray:
    """Collectors who break the contact limits: agency staff three times as often."""
    is_collector = (employees["role"] == "collector").to_numpy()
    weight = np.where(employees["agency_id"].is_null().to_numpy(), 1.0, 3.0)
    idx = np.flatnonzero(is_collector)
    out = np.zeros(employees.height, bool)
    k = max(1, round(rate * len(idx))) if rate > 0 else 0
    if k:
        keys = np.log(rng.random(len(idx))) / weight[idx]
        out[idx[np.argsort(-keys)[:k]]] = True
    return out


def _cn_number(k: int) -> str:
    digits = "零一二三四五六七八九十"
    return digits[k] if k <= 10 else str(k)
