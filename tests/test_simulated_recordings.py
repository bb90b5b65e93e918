"""Simulated call recordings: where they are, what their call records say about them, and
that the audio carries the planted conversation on the right channels."""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import polars as pl
import pytest
import soundfile

from ingestion.simulator.world import load_world


@pytest.fixture(scope="module")
def recorded_calls(tiny_world) -> list[dict]:
    rows = []
    for path in (tiny_world / "raw" / "devices" / "calls").rglob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if '"recording_ref":"' in line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # a planted malformed line
    by_id = {r["call_id"]: r for r in rows}  # planted duplicates repeat the same record
    return sorted(by_id.values(), key=lambda r: r["call_id"])


def test_the_world_count_of_calls_is_rendered(tiny_world, recorded_calls):
    expected = load_world("report-2025").recordings.calls["tiny"]
    wavs = sorted((tiny_world / "raw" / "devices" / "recordings").rglob("*.wav"))
    assert len(recorded_calls) == len(wavs) == expected
    truth = pl.read_parquet(tiny_world / "ground_truth" / "recording_turns.parquet")
    conversations = pl.read_parquet(tiny_world / "ground_truth" / "conversations.parquet")
    contexts = conversations.filter(pl.col("call_id").is_in(truth["call_id"].unique().implode()))
    assert set(contexts["context"]) == {"sales", "collection"}


def test_call_records_describe_their_recordings(tiny_world, recorded_calls):
    for call in recorded_calls:
        path = tiny_world / "raw" / call["recording_ref"]
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == call["recording_sha256"]
        info = soundfile.info(path)
        assert info.channels == call["recording_channels"] == 2
        assert info.samplerate == call["recording_sample_rate"] in (8000, 16000)
        assert info.frames / info.samplerate == pytest.approx(call["recording_duration_s"],
                                                              abs=0.01)
        assert call["duration_s"] == math.ceil(call["recording_duration_s"])
        answered = np.datetime64(call["answered_at"][:19])
        ended = np.datetime64(call["ended_at"][:19])
        assert (ended - answered).astype(int) == call["duration_s"]


def test_audio_carries_the_planted_turns_on_the_speakers_channels(tiny_world, recorded_calls):
    truth = pl.read_parquet(tiny_world / "ground_truth" / "recording_turns.parquet")
    planted = pl.read_parquet(tiny_world / "ground_truth" / "utterances.parquet")
    for call in recorded_calls:
        turns = truth.filter(pl.col("call_id") == call["call_id"]).sort("turn")
        same = planted.filter(pl.col("conversation_id") == turns["conversation_id"][0])
        assert turns["text"].to_list() == same.sort("turn")["text"].to_list()
        audio, rate = soundfile.read(tiny_world / "raw" / call["recording_ref"])
        for speaker, start, end in turns.select("speaker", "start_s", "end_s").iter_rows():
            clip = audio[int(start * rate):int(end * rate)]
            rms = np.sqrt(np.mean(clip**2, axis=0))
            speaking, listening = (0, 1) if speaker == "agent" else (1, 0)
            assert rms[speaking] > 10 * rms[listening], (call["call_id"], start)
        assert (turns["start_s"].to_numpy()[1:] >= turns["end_s"].to_numpy()[:-1]).all()
