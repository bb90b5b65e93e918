"""Planted against measured: does the warehouse recover what the simulated world planted?

A simulated world writes what it planted to ``ground_truth/world.json``; the warehouse measures
the same quantities from raw events only (the marts of the dbt project). This module puts the
two side by side, one row per planted parameter, with the tolerance the product promises where
it promises one (``tolerance`` NULL: shown, not promised):

    parameter   e.g. channel.customer_share
    key         e.g. consumer/short_video
    planted     the world's value
    measured    the warehouse's value
    tolerance   allowed deviation; ``relative`` says whether it is a fraction of the planted value
    within      measured is within tolerance of planted (NULL when nothing is promised)

Used by ``benchmarks/world_recovery.py`` and the world-recovery tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

SHARE_POINTS = 0.02
CAC_RELATIVE = 0.05
CONVERSION_RELATIVE = 0.15
COMPLIANCE_POINTS = 0.03
RECOVERY_POINTS = 0.03


@dataclass(frozen=True)
class Check:
    parameter: str
    key: str
    planted: float
    measured: float | None
    tolerance: float | None = None
    relative: bool = False

    @property
    def within(self) -> bool | None:
        if self.tolerance is None:
            return None
        if self.measured is None:
            return False
        allowed = self.tolerance * abs(self.planted) if self.relative else self.tolerance
        return abs(self.measured - self.planted) <= allowed


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def _period_quarters(world: dict) -> tuple[str, str]:
    def quarter(day: str) -> str:
        return f"{day[:4]}Q{(int(day[5:7]) - 1) // 3 + 1}"
    return quarter(world["period"]["start"]), quarter(world["period"]["end"])


def _channels(con, world: dict, first: str, last: str) -> list[Check]:
    measured = {
        (line, channel): (share, cac, conversion)
        for line, channel, share, cac, conversion in _rows(con, """
            with totals as (
                select business_line, channel, sum(customers) as customers,
                    sum(spend_cny) as spend, sum(conversion_rate * leads) as converted,
                    sum(leads) as leads
                from marts.rpt_channel_efficiency
                where quarter between ? and ?
                group by all)
            select business_line, channel,
                customers / sum(customers) over (partition by business_line),
                spend / nullif(customers, 0), converted / nullif(leads, 0)
            from totals""", first, last)
    }
    checks = []
    for line, spec in world["business_lines"].items():
        for channel, planted in spec["channels"].items():
            share, cac, conversion = measured.get((line, channel), (None, None, None))
            key = f"{line}/{channel}"
            checks += [
                Check("channel.customer_share", key, planted["share"], share, SHARE_POINTS),
                Check("channel.cac_cny", key, planted["cac_cny"], cac, CAC_RELATIVE, True),
                Check("channel.conversion_rate", key, planted["conversion_rate"], conversion,
                      CONVERSION_RELATIVE, True),
            ]
    return checks


def _sales(con, world: dict, first: str, last: str) -> list[Check]:
    rates = dict(((line, quarter), rate) for line, quarter, rate in _rows(con, """
        select business_line, quarter, compliance_rate from marts.rpt_script_compliance
        where quarter between ? and ?""", first, last))
    checks = [
        Check("sales.compliance_rate", f"{line}/{quarter}", planted,
              rates.get((line, quarter)), COMPLIANCE_POINTS)
        for line, spec in world["business_lines"].items()
        for quarter, planted in spec["sales_compliance_rate"].items()
    ]
    labels = world["sales_violation_mix"]
    mix = _rows(con, f"""
        select {', '.join(f'sum(violations_{label})' for label in labels)}
        from marts.rpt_script_compliance where quarter between ? and ?""", first, last)[0]
    total = sum(v or 0 for v in mix)
    checks += [Check("sales.violation_mix", label, planted, (found or 0) / total if total else None)
               for (label, planted), found in zip(labels.items(), mix, strict=True)]
    follow_ups = dict(_rows(con, """
        select business_line, avg(effective_follow_ups) from marts.rpt_sales_activity
        where quarter between ? and ? group by all""", first, last))
    checks += [Check("sales.followups_per_rep_day", line, spec["followups_per_rep_day"],
                     follow_ups.get(line))
               for line, spec in world["business_lines"].items()]
    return checks


def _collections(con, world: dict, first: str, last: str) -> list[Check]:
    stages = {stage: (recovery, complaints) for stage, recovery, complaints in _rows(con, """
        select stage, sum(recovered_amount_cny) / nullif(sum(overdue_amount_cny), 0),
            sum(complaints) / nullif(sum(cases), 0)
        from marts.rpt_collection_stage
        where handler_type = 'all' and quarter between ? and ?
        group by stage""", first, last)}
    checks = []
    for stage, planted in world["collection"]["stages"].items():
        recovery, complaints = stages.get(stage, (None, None))
        checks += [
            Check("collection.recovery_rate", stage, planted["recovery_rate"], recovery,
                  RECOVERY_POINTS),
            Check("collection.complaint_rate", stage, planted["complaint_rate"], complaints),
        ]
    in_house, fake = _rows(con, """
        select avg(case when handler_type = 'in_house' then 1.0 else 0.0 end),
            (select avg(case when is_fake_visit then 1.0 else 0.0 end)
             from marts.fct_field_visits where quarter between ? and ?)
        from marts.fct_collection_cases where quarter between ? and ?""",
                         first, last, first, last)[0]
    return checks + [
        Check("collection.in_house_share", "all", world["collection"]["in_house_share"],
              in_house),
        Check("collection.fake_visit_rate", "all", world["collection"]["fake_visit_rate"], fake),
    ]


def recovery_checks(home: Path) -> list[Check]:
    """Every planted parameter of the world in ``home`` against the warehouse's measurement."""
    world = json.loads((home / "ground_truth" / "world.json").read_text(encoding="utf-8"))
    first, last = _period_quarters(world)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return (_channels(con, world, first, last) + _sales(con, world, first, last)
                + _collections(con, world, first, last))


def recovery_table(home: Path) -> pl.DataFrame:
    checks = recovery_checks(home)
    return pl.DataFrame(
        [{"parameter": c.parameter, "key": c.key, "planted": c.planted, "measured": c.measured,
          "tolerance": c.tolerance, "relative": c.relative, "within": c.within} for c in checks],
        schema={"parameter": pl.String, "key": pl.String, "planted": pl.Float64,
                "measured": pl.Float64, "tolerance": pl.Float64, "relative": pl.Boolean,
                "within": pl.Boolean},
    )
