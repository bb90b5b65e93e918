"""Transcription of real audio: a real Mandarin recording, simulated stereo calls, long calls,
bad files, reruns and model changes."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from importlib import metadata
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import soundfile
from typer.testing import CliRunner

from speech_analytics.audio import RecordingRejected, load_recording
from speech_analytics.batch import transcribe_pending
from speech_analytics.text import character_error_rate
from speech_analytics.transcribe import transcribe_file, transcribe_recording
from workphone.cli import app
from workphone.settings import Settings

REAL_CLIP_TEXT = "对，这就是我，万人敬仰的太乙真人。"


def real_clip() -> Path:
    """A real Mandarin recording (6.8 s) shipped in the f5-tts wheel."""
    return Path(metadata.distribution("f5-tts").locate_file(
        "f5_tts/infer/examples/basic/basic_ref_zh.wav"))


def reference_turns(world: Path, call_id: str) -> pl.DataFrame:
    """Planted turns of a rendered call, consecutive turns of one speaker joined (a pause
    within one party's speech is not a change of turn)."""
    turns = (pl.read_parquet(world / "ground_truth" / "recording_turns.parquet")
             .filter(pl.col("call_id") == call_id).sort("turn"))
    block = (pl.col("speaker") != pl.col("speaker").shift()).fill_null(True).cum_sum()
    return (turns.with_columns(block=block).group_by("block", maintain_order=True)
            .agg(pl.col("speaker").first(), pl.col("text").str.join(""),
                 pl.col("start_s").first(), pl.col("end_s").last()))


def joined(utterances: pl.DataFrame) -> pl.DataFrame:
    block = (pl.col("speaker") != pl.col("speaker").shift()).fill_null(True).cum_sum()
    return (utterances.sort("start_s").with_columns(block=block)
            .group_by("block", maintain_order=True)
            .agg(pl.col("speaker").first(), pl.col("text").str.join(""),
                 pl.col("start_s").first()))


def test_real_mandarin_recording(asr_backend):
    transcript = transcribe_file(asr_backend, real_clip())
    assert transcript.duration_s == pytest.approx(6.76, abs=0.05)
    assert transcript.channels == 1
    assert {u.speaker for u in transcript.utterances} == {"unknown"}
    text = "".join(u.text for u in transcript.utterances)
    assert character_error_rate(REAL_CLIP_TEXT, text) <= 0.3
    assert "真人" in text and "這" not in text  # simplified, not traditional


def test_stereo_calls_speakers_order_and_accuracy(transcribed_tiny, tiny_world):
    settings, reports = transcribed_tiny
    statuses = pl.read_parquet(settings.lake_dir / "transcriptions" / "*" / "*.parquet")
    rendered = pl.read_parquet(tiny_world / "ground_truth" / "recording_turns.parquet")
    assert sorted(statuses["call_id"]) == sorted(rendered["call_id"].unique())
    assert set(statuses["status"]) == {"ok"}
    utterances = pl.read_parquet(settings.lake_dir / "transcripts" / "*" / "*.parquet")
    for call_id in statuses["call_id"]:
        reference = reference_turns(tiny_world, call_id)
        heard = joined(utterances.filter(pl.col("call_id") == call_id))
        assert heard["speaker"].to_list() == reference["speaker"].to_list(), call_id
        assert np.abs(heard["start_s"].to_numpy() - reference["start_s"].to_numpy()).max() < 1.0
        cer = character_error_rate("".join(reference["text"]), "".join(heard["text"]))
        assert cer <= 0.2, (call_id, cer)
    assert utterances["asr_model"].unique().to_list() == ["whisper-base"]
    assert utterances["retain_until"].null_count() == 0


def test_warehouse_tables_match_the_lake(transcribed_tiny):
    settings, _ = transcribed_tiny
    lake = pl.read_parquet(settings.lake_dir / "transcripts" / "*" / "*.parquet")
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute("select count(*), count(distinct call_id) from speech.utterances")
        assert rows.fetchone() == (lake.height, lake["call_id"].n_unique())
        statuses = con.execute("select status, count(*) from speech.transcriptions group by 1")
        assert dict(statuses.fetchall()) == {"ok": lake["call_id"].n_unique()}


def test_rerun_does_no_work_twice_and_a_new_model_version_redoes(transcribed_tiny, tiny_world,
                                                                 asr_backend, tmp_path):
    settings, _ = transcribed_tiny
    home = tmp_path / "home"
    shutil.copytree(settings.home, home)
    copy = settings.model_copy(update={"home": home})
    again = transcribe_pending(copy, backend=asr_backend, raw=tiny_world / "raw")
    assert sum(r.due for r in again) == 0
    before = pl.read_parquet(home / "lake" / "transcripts" / "*" / "*.parquet")

    class NextVersion:  # the same recogniser under a new version label
        name, model, model_version = asr_backend.name, asr_backend.model, "next"
        recognise = staticmethod(asr_backend.recognise)

    day = sorted(p.name[3:] for p in (home / "lake" / "transcripts").glob("dt=*"))[0]
    redone = transcribe_pending(copy, days=[day], backend=NextVersion(), raw=tiny_world / "raw")
    assert redone[0].due == 1 and redone[0].statuses == {"ok": 1}
    after = pl.read_parquet(home / "lake" / "transcripts" / "*" / "*.parquet")
    assert after.height == before.height  # replaced, not added
    versions = after.group_by("asr_model_version").agg(pl.col("call_id").n_unique())
    assert dict(versions.iter_rows()) == {"next": 1, asr_backend.model_version:
                                          before["call_id"].n_unique() - 1}


def _wav(samples: np.ndarray, rate: int) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def test_bad_recordings_get_a_status_and_the_batch_carries_on(tiny_world, asr_backend,
                                                              tmp_path):
    good = sorted((tiny_world / "raw" / "devices" / "recordings").rglob("*.wav"))[0]
    rng = np.random.default_rng(0)
    files = {
        "good": good.read_bytes(),
        "corrupt": good.read_bytes()[:30],  # upload cut off inside the header
        "empty": _wav(np.zeros((0, 2), np.float32), 16000),
        "silent": _wav(np.zeros((16000 * 3, 2), np.float32), 16000),
        "low_rate": _wav(rng.normal(0, 0.1, (4000 * 3, 2)).astype(np.float32), 4000),
        "too_long": _wav(rng.normal(0, 0.1, (8000 * 70, 1)).astype(np.float32), 8000),
        "altered": good.read_bytes(),
    }
    raw = tmp_path / "raw"
    rows = []
    for name, data in files.items():
        ref = f"devices/recordings/2025-01-01/{name}.wav"
        (raw / ref).parent.mkdir(parents=True, exist_ok=True)
        (raw / ref).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest() if name != "altered" else "0" * 64
        rows.append({"call_id": name, "recording_ref": ref, "recording_sha256": digest})
    (raw / "devices/recordings/2025-01-01/video.m4a").write_bytes(b"\x00\x00\x00\x18ftypM4A ")
    rows += [{"call_id": "video", "recording_ref": "devices/recordings/2025-01-01/video.m4a",
              "recording_sha256": None},
             {"call_id": "missing", "recording_ref": "devices/recordings/2025-01-01/gone.wav",
              "recording_sha256": None}]
    lake_calls = tmp_path / "home" / "lake" / "calls" / "dt=2025-01-01"
    lake_calls.mkdir(parents=True)
    table = pa.Table.from_pylist(rows).append_column(
        "ended_at", pa.array([np.datetime64("2025-01-01T10:00:00")] * len(rows)))
    pq.write_table(table.append_column("retain_until", pa.nulls(len(rows), pa.date32())),
                   lake_calls / "part-0.parquet")
    settings = Settings(home=tmp_path / "home", asr_max_seconds=60)
    report = transcribe_pending(settings, backend=asr_backend, raw=raw)[0]
    statuses = dict(pl.read_parquet(settings.lake_dir / "transcriptions" / "*" / "*.parquet")
                    .select("call_id", "status").iter_rows())
    assert statuses == {"good": "ok", "corrupt": "corrupt", "empty": "empty",
                        "silent": "silent", "low_rate": "unsupported_rate",
                        "too_long": "too_long", "altered": "checksum_mismatch",
                        "video": "unsupported_format", "missing": "missing"}
    assert report.due == 9 and sum(report.statuses.values()) == 9
    reasons = pl.read_parquet(settings.lake_dir / "transcriptions" / "*" / "*.parquet")
    assert reasons.filter(pl.col("status") != "ok")["reason"].str.contains("/raw/").all()


def test_mono_mixdown_and_dual_mono_have_unknown_speakers(tiny_world, asr_backend):
    stereo = load_recording(sorted((tiny_world / "raw").rglob("*.wav"))[0], 7200)
    mixed = stereo.channels[0] + stereo.channels[1]
    for channels in ([mixed], [mixed, mixed.copy()]):
        recording = type(stereo)(stereo.path, channels, 16000, stereo.duration_s)
        transcript = transcribe_recording(asr_backend, recording)
        assert transcript.channels == 1
        assert {u.speaker for u in transcript.utterances} == {"unknown"}
        assert len("".join(u.text for u in transcript.utterances)) > 50


def test_a_long_call_keeps_its_accuracy(tiny_world, asr_backend, tmp_path):
    """Two minutes of conversation: chunking keeps the end as good as the start."""
    from ingestion.simulator.audio.call_audio import Turn, render_call
    from ingestion.simulator.audio.tts import MandarinVoice

    lines = pl.read_parquet(tiny_world / "ground_truth" / "utterances.parquet").filter(
        pl.col("message_id").is_null()).head(36)
    turns = [Turn("agent" if i % 2 == 0 else "customer", text)
             for i, text in enumerate(lines["text"])]
    rendered = render_call(MandarinVoice.load(), turns, np.random.default_rng(1), False)
    assert rendered.duration_s > 120
    path = tmp_path / "long.wav"
    path.write_bytes(rendered.wav)
    transcript = transcribe_file(asr_backend, path)
    last_minute = [u.text for u in transcript.utterances if u.start > rendered.duration_s - 60]
    reference_last = [t.text for t, (start, _) in zip(turns, rendered.timings, strict=True)
                      if start > rendered.duration_s - 60]
    assert character_error_rate("".join(reference_last), "".join(last_minute)) <= 0.2
    everything = "".join(u.text for u in transcript.utterances)
    assert character_error_rate("".join(lines["text"]), everything) <= 0.2


def test_unreadable_recording_is_rejected_with_its_path(tmp_path):
    path = tmp_path / "call.wav"
    path.write_bytes(b"RIFF\x00\x00")
    with pytest.raises(RecordingRejected) as caught:
        load_recording(path, 7200)
    assert caught.value.status == "corrupt" and str(path) in caught.value.reason


def test_cli_transcribes_a_file_as_json():
    result = CliRunner().invoke(app, ["transcribe", str(real_clip()), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(payload) == {"duration_s", "language", "model", "segments"}
    assert payload["language"] == "zh" and "whisper-base" in payload["model"]
    assert {s["speaker"] for s in payload["segments"]} == {"unknown"}
    assert set(payload["segments"][0]) == {"start", "end", "speaker", "text"}


def test_cli_rejects_an_unsupported_file(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not audio")
    result = CliRunner().invoke(app, ["transcribe", str(bad)])
    assert result.exit_code == 1
    assert "unsupported_format" in result.output
