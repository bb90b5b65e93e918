"""Run a simulation: world + scale + seed -> raw captures and the ground truth beside them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ingestion.simulator.acquisition import simulate_leads, simulate_spend
from ingestion.simulator.audio.recordings import plan_recordings
from ingestion.simulator.collections import simulate_stages
from ingestion.simulator.context import DAY, SimContext, quarters_of
from ingestion.simulator.lending import due_dates, simulate_back_book, simulate_new_loans
from ingestion.simulator.organisation import build_organisation
from ingestion.simulator.records import Buffers
from ingestion.simulator.render_collections import (
    answer_profile,
    habitual_answer_hours,
    render_collections,
)
from ingestion.simulator.render_sales import render_sales, seconds
from ingestion.simulator.repayments import repayments, schedules
from ingestion.simulator.sales import plan_sales_conversations
from ingestion.simulator.scales import get_scale
from ingestion.simulator.world import World, load_world
from ingestion.simulator.writer import write_world


@dataclass
class SimulationResult:
    out_dir: Path
    records: dict[str, int]
    seconds: float

    @property
    def communication_records(self) -> int:
        return sum(self.records.get(f, 0) for f in ("calls", "messages", "sms"))


def simulate(world: World | str | Path, scale: str, out_dir: Path, seed: int = 42,
             progress=None, recordings: int | None = None) -> SimulationResult:
    """Simulate ``world`` at ``scale`` into ``out_dir/raw`` and ``out_dir/ground_truth``;
    ``recordings`` overrides how many calls the world renders as audio at that scale."""
    began = time.perf_counter()
    world = world if isinstance(world, World) else load_world(world)
    ctx = SimContext(world=world, scale=get_scale(scale), seed=seed)
    say = progress or (lambda message: None)

    say("acquisition: leads, spend and sales conversations")
    leads = simulate_leads(ctx)
    plan, attempts = plan_sales_conversations(ctx, leads)
    per_line = plan.group_by("line").len().sort("line")
    org = build_organisation(ctx, dict(per_line.iter_rows()))
    out = Buffers()
    render_sales(ctx, leads, plan, attempts, org, out)

    say("lending: loans, back book and schedules")
    signing = plan.filter(pl.col("kind") == "signing")
    signing_at = dict(zip(signing["lead_idx"].to_list(),
                          signing["started_at"].to_numpy().astype("datetime64[s]"), strict=True))
    new_loans = simulate_new_loans(ctx, leads, signing_at)
    new_loans = new_loans.with_columns(episode_start=_episode_start(new_loans))
    back_book = _back_book(ctx, new_loans)
    loans = pl.concat([new_loans, back_book], how="diagonal_relaxed")
    loans = loans.with_columns(
        loan_id=pl.format("LN{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)),
        customer_id=pl.format("CU{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)),
        answer_hour=habitual_answer_hours(ctx, loans.height),
    )

    say("collections: stages, contacts, visits")
    stages = simulate_stages(ctx, loans, org)
    render_collections(ctx, stages, loans, org, out)
    schedule = schedules(loans)
    paid = repayments(ctx, loans, schedule, stages)
    _sales_complaints(ctx, out)

    say("writing raw captures, recordings and ground truth")
    spend = simulate_spend(ctx, leads)
    count = world.recordings.calls.get(scale, 0) if recordings is None else recordings
    plan = plan_recordings(ctx, out.frame("truth_conversations"), count)
    records = write_world(ctx, Path(out_dir), out, leads=leads, spend=spend, loans=loans,
                          schedule=schedule, repayments=paid, stages=stages, org=org,
                          m2_profile=answer_profile(ctx, "M2"), recordings=plan,
                          progress=say)
    records["recordings"] = plan.height
    return SimulationResult(Path(out_dir), records, time.perf_counter() - began)


def _episode_start(loans: pl.DataFrame) -> np.ndarray:
    disbursed = loans["disbursed_at"].to_numpy().astype("datetime64[s]")
    missed = loans["first_missed"].to_numpy()
    return (due_dates(disbursed, missed) + 1).astype("datetime64[us]")


def _back_book(ctx: SimContext, new_loans: pl.DataFrame) -> pl.DataFrame:
    """Enough older loans that each quarter sees ``m1_entries_per_quarter`` new M1 cases, plus
    the stock already in collection when the period opens."""
    rng = ctx.rng("back_book_dates")
    per_quarter = ctx.scale.m1_entries_per_quarter
    starts = new_loans.filter(pl.col("defaulted"))["episode_start"].to_numpy()
    own = quarters_of(starts.astype("datetime64[s]"))
    chunks = []
    for quarter, lo, hi in ctx.quarter_bounds():
        need = max(per_quarter - int((own == quarter).sum()), per_quarter // 4)
        span = int((hi - lo) // DAY)
        chunks.append(lo + rng.integers(0, span, need) * DAY)
    days_before = 180
    stock = int(per_quarter / 91 * days_before)
    chunks.append(ctx.start - rng.integers(1, days_before + 1, stock) * DAY)
    episode_start = np.sort(np.concatenate(chunks)).astype("datetime64[s]")
    back = simulate_back_book(ctx, len(episode_start), episode_start)
    return back.with_columns(episode_start=_episode_start(back))


def _sales_complaints(ctx: SimContext, out: Buffers) -> None:
    """Some customers complain after a violating sales conversation (rarely after others)."""
    rng = ctx.rng("sales_complaints")
    conv = out.frame("truth_conversations").filter(pl.col("context") == "sales")
    violating = conv["violation"].is_not_null().to_numpy()
    chance = np.where(violating, 0.03, 0.0005)
    chosen = conv.filter(pl.Series(rng.random(conv.height) < chance))
    at = chosen["started_at"].to_numpy() + rng.integers(3600, 5 * 86400, chosen.height)
    end = int(seconds(np.array([ctx.end]))[0])
    keep = at < end
    chosen = chosen.filter(pl.Series(keep))
    out.extend("complaints", {
        "complaint_id": out.id_block("CMP", chosen.height), "received_at": at[keep],
        "category": ["sales"] * chosen.height, "case_id": [None] * chosen.height,
        "lead_id": chosen["lead_id"], "stage": [None] * chosen.height,
        "employee_id": chosen["employee_id"],
        "description": rng.choice(["销售隐瞒利率", "被要求支付中介费", "承诺额度未兑现",
                                   "被要求私下转账", "销售人员态度差"], chosen.height)})

