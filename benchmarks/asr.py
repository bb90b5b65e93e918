"""Speech recognition on the simulated calls of the demo world: accuracy and speed.

    .venv/bin/python benchmarks/asr.py [--world-dir DIR] [--limit N] [--beams 5 1]

Simulates the demo world (report-2025, small, seed 42: what `make demo` builds) into a
temporary folder unless --world-dir points at one, then, for every rendered call recording:
- product: ``transcribe_file`` (channels split, VAD, chunking, word times, turns, simplified
  Chinese, lending terms restored), at each beam size asked for (5 is the default; 1 is greedy
  decoding, faster);
- baseline: faster-whisper called plainly (defaults, language zh) on the whole mono mixdown.
Character error rate is against the planted text of every turn, both sides normalised the same
way (simplified characters, no punctuation, numbers spelled in Chinese); it is reported over all
characters, per sample rate, and for the product also before lending terms are restored.
Real-time factor = wall seconds spent / seconds of audio, on this machine. Writes
benchmarks/results/asr.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import faster_whisper
import numpy as np
import polars as pl
import soundfile
from scipy.signal import resample_poly

from ingestion.simulator.simulate import simulate
from speech_analytics.backends import load_backend
from speech_analytics.model_store import default_model_dir
from speech_analytics.text import edit_distance, for_scoring
from speech_analytics.transcribe import transcribe_file

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-dir", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N recordings")
    parser.add_argument("--beams", type=int, nargs="+", default=[5, 1])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        world = args.world_dir
        if world is None:
            world = Path(tmp) / "world"
            simulate("report-2025", "small", world, seed=42)
        result = run(world, args.limit, args.beams)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "asr.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def run(world: Path, limit: int | None, beams: list[int]) -> dict:
    turns = pl.read_parquet(world / "ground_truth" / "recording_turns.parquet")
    calls = turns.group_by("call_id").agg(
        pl.col("text").sort_by("turn").str.join(""), pl.col("phone_line").first()).sort("call_id")
    if limit:
        calls = calls.head(limit)
    paths = {p.stem: p for p in (world / "raw" / "devices" / "recordings").rglob("*.wav")}
    backends = {beam: load_backend("faster-whisper", default_model_dir(), threads=2,
                                   beam_size=beam) for beam in beams}
    plain = faster_whisper.WhisperModel(str(default_model_dir()), device="cpu",
                                        compute_type="int8", cpu_threads=2)
    rows = []
    for call_id, text, phone_line in calls.iter_rows():
        reference = for_scoring(text)
        row = {"call_id": call_id, "phone_line": phone_line, "reference_chars": len(reference)}
        for beam, backend in backends.items():
            started = time.perf_counter()
            transcript = transcribe_file(backend, paths[call_id])
            row[f"beam{beam}_s"] = time.perf_counter() - started
            row[f"beam{beam}_errors"] = errors(
                reference, "".join(u.text for u in transcript.utterances))
            row[f"beam{beam}_heard_errors"] = errors(
                reference, "".join(u.heard for u in transcript.utterances))
        row["audio_s"] = transcript.duration_s
        started = time.perf_counter()
        row["baseline_errors"] = errors(reference, plain_transcript(plain, paths[call_id]))
        row["baseline_s"] = time.perf_counter() - started
        rows.append(row)
        print(f"{call_id}: {row['audio_s']:5.1f} s audio, CER "
              + ", ".join(f"beam {b} {row[f'beam{b}_errors'] / len(reference):.3f}"
                          for b in beams)
              + f", plain {row['baseline_errors'] / len(reference):.3f}", flush=True)
    return summarise(pl.DataFrame(rows), beams)


def plain_transcript(model: faster_whisper.WhisperModel, path: Path) -> str:
    audio, rate = soundfile.read(path, dtype="float32", always_2d=True)
    mono = resample_poly(audio.mean(axis=1), 16000, rate).astype(np.float32)
    segments, _ = model.transcribe(mono, language="zh")
    return "".join(s.text for s in segments)


def errors(reference: str, hypothesis: str) -> int:
    return edit_distance(reference, for_scoring(hypothesis))


def summarise(rows: pl.DataFrame, beams: list[int]) -> dict:
    def cer(frame: pl.DataFrame, column: str) -> float:
        return round(frame[column].sum() / max(frame["reference_chars"].sum(), 1), 4)

    def rtf(frame: pl.DataFrame, column: str) -> float:
        return round(frame[column].sum() / max(frame["audio_s"].sum(), 1e-9), 3)

    def figures(frame: pl.DataFrame) -> dict:
        product = {f"product_beam{b}": {
            "cer": cer(frame, f"beam{b}_errors"),
            "cer_before_term_correction": cer(frame, f"beam{b}_heard_errors"),
            "real_time_factor": rtf(frame, f"beam{b}_s")} for b in beams}
        return {"recordings": frame.height, "audio_s": round(frame["audio_s"].sum(), 1),
                **product,
                "baseline_plain_mono": {"cer": cer(frame, "baseline_errors"),
                                        "real_time_factor": rtf(frame, "baseline_s")}}

    return {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "model": "whisper-base (CTranslate2 int8)",
        "all": figures(rows),
        "16_khz": figures(rows.filter(~pl.col("phone_line"))),
        "8_khz_phone_line": figures(rows.filter(pl.col("phone_line"))),
        "targets": {"cer": 0.12, "cer_goal": 0.08, "real_time_factor": 0.25,
                    "real_time_factor_goal": 0.1},
    }


if __name__ == "__main__":
    main()
