"""Which planted calls become real recordings, and writing them where devices upload them.

A world renders a configurable number of its call conversations as audio (``recordings`` in
the world file, per scale; ``--recordings`` overrides). They are drawn evenly from sales and
collection calls, a set share of them with a planted violation, so that every downstream rule
has real audio to be tested on. A rendered call's record in the call feed gets the recording's
reference, duration, channels, sample rate and sha256, and its talk time becomes the
recording's length; the ground truth keeps every turn's text with its time in the audio.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from ingestion.simulator.audio.call_audio import Turn, render_call
from ingestion.simulator.context import SimContext

RECORDING_COLUMNS = ["recording_ref", "recording_duration_s", "recording_channels",
                     "recording_sample_rate", "recording_sha256"]


def plan_recordings(ctx: SimContext, conversations: pl.DataFrame, count: int) -> pl.DataFrame:
    """``count`` call conversations to render: half sales, half collection, ``violation_share``
    of each half with a planted violation (fewer where the world has fewer)."""
    calls = conversations.filter(pl.col("call_id").is_not_null()).sort("conversation_id")
    rng = ctx.rng("recordings")
    share = ctx.world.recordings.violation_share
    chosen: list[pl.DataFrame] = []
    for i, context in enumerate(("sales", "collection")):
        want = count // 2 + (count % 2 if i == 0 else 0)
        pool = calls.filter(pl.col("context") == context)
        violating = pool.filter(pl.col("violation").is_not_null())
        with_violation = min(int(round(want * share)), violating.height)
        clean = pool.filter(pl.col("violation").is_null())
        chosen += [_sample(violating, with_violation, rng),
                   _sample(clean, want - with_violation, rng)]
    plan = pl.concat(chosen).select("conversation_id", "call_id", "context", "violation")
    phone = rng.random(plan.height) < ctx.world.recordings.phone_line_share
    return plan.with_columns(phone_line=pl.Series(phone)).sort("call_id")


def _sample(frame: pl.DataFrame, n: int, rng: np.random.Generator) -> pl.DataFrame:
    n = min(n, frame.height)
    return frame[np.sort(rng.choice(frame.height, n, replace=False)).tolist()] if n else frame[:0]


def render_recordings(ctx: SimContext, raw: Path, plan: pl.DataFrame, calls: pl.DataFrame,
                      utterances: pl.DataFrame,
                      progress: Callable[[str], None] | None = None,
                      ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Write one WAV per planned call under ``raw/devices/recordings/<day>/``; return the
    recording columns per call id and the ground truth of every rendered turn."""
    if plan.height == 0:
        return pl.DataFrame(schema={"call_id": pl.String}), pl.DataFrame()
    from ingestion.simulator.audio.tts import MandarinVoice

    say = progress or (lambda message: None)
    voice = MandarinVoice.load()
    rng = ctx.rng("recording_audio")
    answered = dict(zip(calls["call_id"].to_list(), calls["answered_at"].to_list(), strict=True))
    meta, truth = [], []
    for number, row in enumerate(plan.iter_rows(named=True), start=1):
        turns = utterances.filter(pl.col("conversation_id") == row["conversation_id"]).sort("turn")
        rendered = render_call(voice, [Turn(s, t) for s, t in zip(turns["speaker"], turns["text"],
                                                                 strict=True)],
                               rng, row["phone_line"], ctx.world.recordings.customer_semitones)
        day = np.datetime64(int(answered[row["call_id"]] + rendered.duration_s), "s").astype(
            "datetime64[D]").astype(str)
        ref = f"devices/recordings/{day}/{row['call_id']}.wav"
        (raw / ref).parent.mkdir(parents=True, exist_ok=True)
        (raw / ref).write_bytes(rendered.wav)
        meta.append({"call_id": row["call_id"], "recording_ref": ref,
                     "recording_duration_s": round(rendered.duration_s, 2),
                     "recording_channels": 2, "recording_sample_rate": rendered.sample_rate,
                     "recording_sha256": hashlib.sha256(rendered.wav).hexdigest()})
        truth.append(turns.select("conversation_id", "turn", "speaker", "text", "labels")
                     .with_columns(call_id=pl.lit(row["call_id"]),
                                   start_s=pl.Series([t[0] for t in rendered.timings]),
                                   end_s=pl.Series([t[1] for t in rendered.timings]),
                                   phone_line=pl.lit(row["phone_line"]),
                                   sample_rate=pl.lit(rendered.sample_rate)))
        line = "8 kHz phone line" if row["phone_line"] else "16 kHz"
        say(f"recordings: {number}/{plan.height} {row['call_id']} "
            f"({rendered.duration_s:.0f} s, {line})")
    return pl.DataFrame(meta), pl.concat(truth)


def with_recordings(calls: pl.DataFrame, meta: pl.DataFrame) -> pl.DataFrame:
    """The call feed with the recording columns filled for rendered calls, whose talk time and
    end become the recording's."""
    calls = calls.drop([c for c in RECORDING_COLUMNS if c in calls.columns])
    if meta.height == 0:
        return calls.with_columns([pl.lit(None).alias(c) for c in RECORDING_COLUMNS])
    joined = calls.join(meta, on="call_id", how="left")
    length = pl.col("recording_duration_s").ceil().cast(pl.Int64)
    recorded = pl.col("recording_ref").is_not_null()
    ended = pl.when(recorded).then(pl.col("answered_at") + length).otherwise(pl.col("ended_at"))
    return joined.with_columns(
        duration_s=pl.when(recorded).then(length).otherwise(pl.col("duration_s")),
        ended_at=ended,
        uploaded_at=pl.col("uploaded_at") + ended - pl.col("ended_at"),
    )
