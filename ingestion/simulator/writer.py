"""Write a simulated world the way a vendor delivers it, flaws included, plus the ground truth.

Layout under the output folder::

    raw/devices/<feed>/<delivery day>/<device>_<delivery day>.jsonl   one file per device per day
    raw/exports/<export>/<export>_<day>.csv                             business-system exports
    ground_truth/*.parquet, world.json                                  what was planted

Device records are delivered on the day they were uploaded; flaws (redelivered files, duplicate
events, late arrivals, device clock skew, malformed and incomplete records, one GBK-encoded
export) are injected at the world's ``defects`` rates and listed in ``ground_truth/defects``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import orjson
import polars as pl

from ingestion.simulator import identities
from ingestion.simulator.audio.recordings import render_recordings, with_recordings
from ingestion.simulator.context import SimContext
from ingestion.simulator.organisation import Organisation
from ingestion.simulator.records import DEVICE_FEEDS, EVENT_TIME, Buffers

ISO = "%Y-%m-%dT%H:%M:%S+08:00"
LOCAL = "%Y-%m-%d %H:%M:%S"
# Fields a record must carry; the ones removed when a record is delivered incomplete.
REQUIRED = {feed: cols[:3] + [EVENT_TIME[feed]] for feed, cols in DEVICE_FEEDS.items()}


def write_world(ctx: SimContext, out_dir: Path, out: Buffers, *, leads, spend, loans, schedule,
                repayments, stages, org: Organisation, m2_profile, recordings: pl.DataFrame,
                progress=None) -> dict[str, int]:
    raw, truth = out_dir / "raw", out_dir / "ground_truth"
    for folder in (raw, truth):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    rng = ctx.rng("defects")
    defects: list[dict] = []
    counts: dict[str, int] = {}
    skew = _skewed_devices(ctx, rng, org)
    recorded, recorded_turns = render_recordings(
        ctx, raw, recordings, out.frame("calls"), out.frame("truth_utterances"), progress)
    for feed, columns in DEVICE_FEEDS.items():
        if feed == "calls":
            frame = with_recordings(out.frame(feed), recorded).select(columns)
        else:
            frame = out.frame(feed, columns)
        counts[feed] = frame.height
        _write_device_feed(ctx, rng, raw / "devices" / feed, feed, frame, skew, defects)
    for export, frame in _exports(ctx, out, leads, spend, loans, schedule, repayments, stages,
                                  org).items():
        counts[export] = frame.height
        _write_export(ctx, rng, raw / "exports", export, frame, defects)
    _write_truth(ctx, truth, out, leads, loans, stages, org, m2_profile, skew, defects)
    recorded_turns.write_parquet(truth / "recording_turns.parquet")
    return counts


def _skewed_devices(ctx, rng, org) -> pl.DataFrame:
    devices = org.employees["device_id"].to_numpy()
    chosen = devices[rng.random(len(devices)) < ctx.world.defects.clock_skew_device]
    offsets = np.where(rng.random(len(chosen)) < 0.3, 8 * 3600,
                       rng.choice([-1, 1], len(chosen)) * rng.integers(120, 3600, len(chosen)))
    return pl.DataFrame({"device_id": chosen.astype(str), "offset_s": offsets.astype(np.int64)})


def _write_device_feed(ctx, rng, folder: Path, feed: str, frame: pl.DataFrame,
                       skew: pl.DataFrame, defects: list[dict]) -> None:
    if frame.height == 0:
        return
    times = [c for c in frame.columns if c.endswith("_at") and c != "uploaded_at"]
    late = rng.random(frame.height) < ctx.world.defects.late_arrival
    frame = frame.with_columns(
        uploaded_at=pl.col("uploaded_at") + pl.Series(np.where(
            late, rng.integers(1, 4, frame.height) * 86400, 0)))
    frame = frame.join(skew, on="device_id", how="left").with_columns(
        [pl.col(c) + pl.col("offset_s").fill_null(0) for c in times]).drop("offset_s")
    frame = frame.with_columns(
        _day=pl.from_epoch("uploaded_at", "s").dt.strftime("%Y-%m-%d"),
        **{c: pl.from_epoch(c, "s").dt.strftime(ISO) for c in [*times, "uploaded_at"]},
    ).sort("_day", "device_id", EVENT_TIME[feed], frame.columns[0])
    lines = frame.drop("_day").write_ndjson().encode().split(b"\n")[:-1]
    day = frame["_day"].to_numpy()
    device = frame["device_id"].to_numpy()
    d = ctx.world.defects
    n = len(lines)
    roll = rng.random(n)
    duplicate = rng.random(n) < d.duplicate_event
    flawed = (roll < d.malformed_record + d.missing_field) | duplicate
    for lo, hi in _runs(day, device):
        name = f"{device[lo]}_{day[lo]}.jsonl"
        path = folder / day[lo] / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not flawed[lo:hi].any():
            data = b"\n".join(lines[lo:hi]) + b"\n"
        else:
            data = _with_flaws(rng, feed, path, lines[lo:hi], roll[lo:hi], duplicate[lo:hi], d,
                               defects)
        path.write_bytes(data)
        if rng.random() < d.redelivered_file:
            later = (np.datetime64(day[lo]) + int(rng.integers(1, 4))).astype(str)
            copy = folder / later / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
            defects.append(_defect(feed, copy, 0, "redelivered_file"))


def _runs(*keys: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of the runs of equal keys in sorted arrays."""
    n = len(keys[0])
    if n == 0:
        return []
    change = np.zeros(n, bool)
    change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    starts = np.flatnonzero(change)
    return list(zip(starts.tolist(), np.r_[starts[1:], n].tolist(), strict=True))


def _with_flaws(rng, feed, path, lines, roll, duplicate, d, defects) -> bytes:
    body: list[bytes] = []
    for line, r, dup in zip(lines, roll, duplicate, strict=True):
        if r < d.malformed_record:
            body.append(line[: len(line) // 2])
            defects.append(_defect(feed, path, len(body), "malformed_json"))
            continue
        if r < d.malformed_record + d.missing_field:
            record = orjson.loads(line)
            field = REQUIRED[feed][int(rng.integers(len(REQUIRED[feed])))]
            record.pop(field, None)
            line = orjson.dumps(record)
            defects.append(_defect(feed, path, len(body) + 1, f"missing:{field}"))
        body.append(line)
        if dup:
            body.append(line)
            defects.append(_defect(feed, path, len(body), "duplicate_event"))
    return b"\n".join(body) + b"\n"


def _defect(feed: str, path: Path, line: int, kind: str) -> dict:
    return {"feed": feed, "file": f"{path.parent.parent.name}/{path.parent.name}/{path.name}",
            "line": line, "kind": kind}


def _exports(ctx, out: Buffers, leads, spend, loans, schedule, repayments, stages,
             org) -> dict[str, pl.DataFrame]:
    reps = out.frame("truth_lead_reps")
    loan_ids = loans["loan_id"].to_numpy()
    city = identities.CITY_NAMES[loans["city_idx"].to_numpy()]
    return {
        "leads": leads.join(reps, on="lead_id").select(
            "lead_id", pl.col("line").alias("business_line"), "channel",
            _local("created_at"), "name", "phone", "id_number", "city", "city_tier",
            pl.col("employee_id").alias("assigned_rep_id"), _day_of("created_at")),
        "marketing_spend": spend.with_columns(
            date=pl.col("date").cast(pl.Date), _day=pl.col("date").cast(pl.Date)),
        "loans": loans.select(
            "loan_id", "customer_id", "lead_id", pl.col("line").alias("business_line"),
            "product", "principal_cny", "apr", "term_months", "installment_cny",
            _local("disbursed_at"), pl.col("name").alias("customer_name"),
            pl.col("phone").alias("customer_phone"), "id_number", "bank_card", "bureau_score",
            "stated_monthly_income", "age", "employment_type", pl.Series("city", city),
            "home_lat", "home_lon", "emergency_contact_phone", "emergency_contact_relation",
            _day_of("disbursed_at", floor=ctx.start)),
        "repayment_schedules": schedule.select(
            "loan_id", "installment_no", pl.col("due_date").cast(pl.Date), "amount_due_cny",
            _day_of("disbursed_at", floor=ctx.start)),
        "repayments": repayments.select(
            "repayment_id", "loan_id", _local_epoch("paid_at"), "amount_cny", "method",
            _day_of_epoch("paid_at")),
        "collection_cases": stages.select(
            pl.format("AS{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(9))
            .alias("assignment_id"),
            "case_id", pl.Series("loan_id", loan_ids[stages["loan_idx"].to_numpy()]), "stage",
            _local("entered_at").alias("assigned_at"), "overdue_amount_cny",
            pl.col("stage").replace_strict({"M1": 1, "M2": 31, "M3plus": 91}).alias(
                "dpd_at_entry"),
            "handler_type", "agency_id", "collector_id",
            pl.when(pl.col("exited_at") < ctx.end).then(
                pl.col("exited_at").dt.strftime(LOCAL)).alias("closed_at"),
            pl.when(pl.col("exited_at") < ctx.end).then(pl.col("exit_reason")).alias(
                "close_reason"),
            _day_of("entered_at", floor=ctx.start)),
        "complaints": out.frame("complaints").with_columns(
            _local_epoch("received_at"), _day_of_epoch("received_at")),
        "legal_letters": out.frame("legal_letters").with_columns(
            _local_epoch("sent_at"), _day_of_epoch("sent_at")),
        "employees": org.employees.drop("breaches_conduct").with_columns(
            _day=pl.lit(ctx.world.period.end)),
        "agencies": org.agencies.with_columns(_day=pl.lit(ctx.world.period.end)),
    }


def _local(col: str) -> pl.Expr:
    return pl.col(col).dt.strftime(LOCAL).alias(col)


def _local_epoch(col: str) -> pl.Expr:
    return pl.from_epoch(col, "s").dt.strftime(LOCAL).alias(col)


def _day_of(col: str, floor=None) -> pl.Expr:
    """The export day a row is delivered in (rows older than the period arrive on day one)."""
    ts = pl.col(col).cast(pl.Datetime("us"))
    if floor is not None:
        ts = pl.max_horizontal(ts, pl.lit(floor).cast(pl.Datetime("us")))
    return ts.dt.date().alias("_day")


def _day_of_epoch(col: str) -> pl.Expr:
    return pl.from_epoch(col, "s").dt.date().alias("_day")


def _write_export(ctx, rng, folder: Path, export: str, frame: pl.DataFrame,
                  defects: list[dict]) -> None:
    """One CSV per export per day; one file of the period is delivered GBK-encoded."""
    target = folder / export
    target.mkdir(parents=True, exist_ok=True)
    d = ctx.world.defects
    frame = frame.sort("_day", maintain_order=True)
    day = frame["_day"].cast(pl.String).to_numpy()
    header = ",".join(c for c in frame.columns if c != "_day")
    rows = frame.drop("_day").write_csv(include_header=False).split("\n")[:-1]
    runs = _runs(day)
    gbk_day = day[runs[len(runs) // 2][0]] if d.gbk_export and export == "leads" and runs else None
    columns = header.split(",")
    flawed = rng.random(len(rows)) < d.malformed_record + d.missing_field
    for lo, hi in runs:
        name = f"{export}_{day[lo]}.csv"
        body = [header, *rows[lo:hi]]
        for k in np.flatnonzero(flawed[lo:hi]).tolist():
            cells = body[k + 1].split(",")
            j = int(rng.integers(1, len(cells))) if len(cells) > 1 else 0
            cells[j] = ""
            body[k + 1] = ",".join(cells)
            defects.append({"feed": export, "file": f"{export}/{name}", "line": k + 2,
                            "kind": f"missing:{columns[j]}"})
        data = "\n".join(body) + "\n"
        if day[lo] == gbk_day:
            (target / name).write_bytes(data.encode("gbk"))
            defects.append({"feed": export, "file": f"{export}/{name}", "line": 0,
                            "kind": "gbk_encoding"})
        else:
            (target / name).write_text(data, encoding="utf-8")


def _write_truth(ctx, truth: Path, out: Buffers, leads, loans, stages, org, m2_profile, skew,
                 defects) -> None:
    (truth / "world.json").write_text(
        json.dumps(ctx.world.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8")
    epoch_cols = {"started_at", "promised_at", "promised_for"}

    def save(name: str, frame: pl.DataFrame) -> None:
        frame = frame.with_columns(
            [pl.from_epoch(c, "s") for c in frame.columns if c in epoch_cols])
        frame.write_parquet(truth / f"{name}.parquet")

    save("leads", leads.drop("name", "phone", "id_number", "wechat_id"))
    save("conversations", out.frame("truth_conversations"))
    save("utterances", out.frame("truth_utterances"))
    save("promises", out.frame("truth_promises"))
    save("visits", out.frame("truth_visits"))
    save("loans", loans.drop("name", "phone", "id_number", "bank_card",
                             "emergency_contact_phone"))
    save("stages", stages)
    save("employees", org.employees.select("employee_id", "role", "agency_id", "stage",
                                           "breaches_conduct"))
    save("m2_answer_profile", pl.DataFrame({"hour": list(range(8, 22)),
                                            "answer_rate": m2_profile}))
    save("clock_skew", skew)
    save("defects", pl.DataFrame(defects, schema={"feed": pl.String, "file": pl.String,
                                                  "line": pl.Int64, "kind": pl.String}))
