"""Transcribe the recorded calls of the lake, one call-feed partition at a time.

For partition ``dt=D`` of ``lake/calls`` every call with a ``recording_ref`` is due unless
``lake/transcriptions/dt=D`` already records it as done by the same model and model version: a
rerun does no work twice, and a new model (or version) makes every recording due again. Each
recording ends with one status row (``ok`` or why not: ``missing``, ``empty``, ``silent``,
``corrupt``, ``unsupported_format``, ``unsupported_rate``, ``too_long``, ``checksum_mismatch``,
``failed``); a bad file never stops the batch.

Outputs, both rewritten whole per partition with an atomic rename (the previous rows of calls
not redone are carried over, so nothing is duplicated or lost):

    lake/transcripts/dt=D/part-0.parquet       one row per utterance (numbers redacted)
    lake/transcriptions/dt=D/part-0.parquet    one row per recording: status, reason, timing

and the warehouse tables ``speech.utterances`` and ``speech.transcriptions``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.lake import Lake
from ingestion.lake_store import LakeStore
from ingestion.pii import redact_text
from speech_analytics.audio import RecordingRejected
from speech_analytics.backends import AsrBackend, backend_identity, load_configured_backend
from speech_analytics.transcribe import Transcript, transcribe_file
from workphone.settings import Settings

UTTERANCES = pa.schema([
    ("call_id", pa.string()), ("utterance_index", pa.int32()), ("speaker", pa.string()),
    ("start_s", pa.float64()), ("end_s", pa.float64()), ("text", pa.string()),
    ("confidence", pa.float64()), ("asr_backend", pa.string()), ("asr_model", pa.string()),
    ("asr_model_version", pa.string()), ("transcribed_at", pa.timestamp("us")),
    ("retain_until", pa.date32()),
])
STATUSES = pa.schema([
    ("call_id", pa.string()), ("recording_ref", pa.string()), ("status", pa.string()),
    ("reason", pa.string()), ("duration_s", pa.float64()), ("channels", pa.int32()),
    ("utterances", pa.int32()), ("processing_s", pa.float64()), ("asr_backend", pa.string()),
    ("asr_model", pa.string()), ("asr_model_version", pa.string()),
    ("transcribed_at", pa.timestamp("us")),
])


@dataclass
class DayReport:
    day: str
    due: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    audio_s: float = 0.0
    processing_s: float = 0.0


def recorded_days(settings: Settings) -> list[str]:
    """Partitions of the call feed that hold at least one recorded call, oldest first."""
    lake = Lake(settings.lake_store)
    if not lake.has_data("calls"):
        return []
    with lake.store.configure(duckdb.connect()) as con:
        rows = con.execute(
            f"select distinct cast(dt as varchar) from read_parquet('{lake.files_glob('calls')}', "
            "hive_partitioning = true) where recording_ref is not null order by 1").fetchall()
    return [r[0] for r in rows]


def transcribe_pending(settings: Settings, days: Iterable[str] | None = None,
                       backend: AsrBackend | None = None, raw: Path | None = None,
                       progress: Callable[[str], None] | None = None) -> list[DayReport]:
    """Transcribe what is due in each of ``days`` (default: every recorded partition), then
    refresh the warehouse tables. Recording references resolve under ``raw`` (default
    ``WORKPHONE_HOME/raw``); ``backend`` defaults to the one the settings name, loaded only
    when something is due."""
    say = progress or (lambda message: None)
    raw = (raw or settings.raw_dir).resolve()
    identity = ((backend.name, backend.model, backend.model_version) if backend
                else backend_identity(settings.asr_backend, settings.asr_model_dir))
    reports = []
    for day in (list(days) if days is not None else recorded_days(settings)):
        due = _due(settings, day, identity)
        if due and backend is None:
            say(f"loading ASR backend {settings.asr_backend} from {settings.asr_model_dir}")
            backend = load_configured_backend(settings)
        reports.append(transcribe_day(settings, raw, day, due, backend, say))
    publish_speech_tables(settings)
    return reports


def transcribe_day(settings: Settings, raw: Path, day: str, due: list[dict],
                   backend: AsrBackend | None, say: Callable[[str], None]) -> DayReport:
    report = DayReport(day=day, due=len(due))
    if not due:
        return report
    utterances, statuses = [], []
    for number, call in enumerate(due, start=1):
        began = time.perf_counter()
        status = _transcribe_one(settings, raw, call, backend)
        status["processing_s"] = round(time.perf_counter() - began, 3)
        statuses.append(status)
        utterances.extend(status.pop("_utterances"))
        report.statuses[status["status"]] = report.statuses.get(status["status"], 0) + 1
        report.audio_s += status["duration_s"] or 0.0
        report.processing_s += status["processing_s"]
        say(f"transcribe {day}: {number}/{len(due)} {call['call_id']} {status['status']} "
            f"({status['duration_s'] or 0:.0f} s audio in {status['processing_s']:.1f} s)")
    redone = {s["call_id"] for s in statuses}
    _replace_partition(settings.lake_store, "transcripts", day, UTTERANCES, utterances, redone)
    _replace_partition(settings.lake_store, "transcriptions", day, STATUSES, statuses, redone)
    return report


def _transcribe_one(settings: Settings, raw: Path, call: dict, backend: AsrBackend) -> dict:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    status = {"call_id": call["call_id"], "recording_ref": call["recording_ref"],
              "status": "ok", "reason": None, "duration_s": None, "channels": None,
              "utterances": 0, "asr_backend": backend.name, "asr_model": backend.model,
              "asr_model_version": backend.model_version, "transcribed_at": now,
              "_utterances": []}
    path = raw / call["recording_ref"]
    try:
        _check_digest(path, call.get("recording_sha256"))
        transcript = transcribe_file(backend, path, settings.asr_max_seconds)
    except RecordingRejected as rejected:
        status.update(status=rejected.status, reason=rejected.reason)
        return status
    except Exception as error:  # noqa: BLE001 - one bad recording must not stop the batch
        status.update(status="failed", reason=f"{path}: {type(error).__name__}: {error}")
        return status
    retain_until = _retain_until(call, settings)
    status.update(duration_s=round(transcript.duration_s, 3), channels=transcript.channels,
                  utterances=len(transcript.utterances),
                  _utterances=_utterance_rows(call["call_id"], transcript, backend, now,
                                              retain_until))
    return status


def _utterance_rows(call_id: str, transcript: Transcript, backend: AsrBackend,
                    now: dt.datetime, retain_until) -> list[dict]:
    return [{"call_id": call_id, "utterance_index": i, "speaker": u.speaker,
             "start_s": float(u.start), "end_s": float(u.end), "text": redact_text(u.text),
             "confidence": float(u.confidence), "asr_backend": backend.name,
             "asr_model": backend.model, "asr_model_version": backend.model_version,
             "transcribed_at": now, "retain_until": retain_until}
            for i, u in enumerate(transcript.utterances)]


def _retain_until(call: dict, settings: Settings):
    if call.get("retain_until") is not None:
        return call["retain_until"]
    ended = call["ended_at"]
    return ended.date().replace(year=ended.year + settings.retention_years)


def _check_digest(path: Path, expected: str | None) -> None:
    if not expected or not path.exists():
        return
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise RecordingRejected("checksum_mismatch", f"{path} has sha256 {digest[:12]}…, the "
                                f"call record says {expected[:12]}…: the file was altered or "
                                "truncated after upload; ask the device platform to resend it")


def _due(settings: Settings, day: str, identity: tuple[str, str, str]) -> list[dict]:
    """Recorded calls of partition ``day`` not yet transcribed by the backend, model and
    model version of ``identity``."""
    store = settings.lake_store
    if not store.has_files("calls", f"dt={day}"):
        return []
    with store.configure(duckdb.connect()) as con:
        calls = con.execute(
            "select call_id, recording_ref, recording_sha256, ended_at, retain_until "
            f"from read_parquet('{store.url('calls', f'dt={day}', '*.parquet')}') "
            "where recording_ref is not null order by call_id").pl().to_dicts()
        done = set()
        if store.has_files("transcriptions", f"dt={day}"):
            done = {r[0] for r in con.execute(
                f"select call_id from read_parquet('{store.url(*_part('transcriptions', day))}')"
                " where asr_backend = ? and asr_model = ? and asr_model_version = ?",
                list(identity)).fetchall()}
    return [c for c in calls if c["call_id"] not in done]


def _part(dataset: str, day: str) -> tuple[str, str, str]:
    """Where a speech dataset keeps ``day``: one file per day (parts below the lake's root)."""
    return dataset, f"dt={day}", "part-0.parquet"


def _replace_partition(store: LakeStore, dataset: str, day: str, schema: pa.Schema,
                       rows: list[dict], redone: set[str]) -> None:
    """Write ``day`` of ``dataset`` again: its rows of calls not in ``redone``, then ``rows``.
    The new file is written beside the old one and moved into its place (whole: see
    ``LakeStore.move``)."""
    target = store.path(*_part(dataset, day))
    fresh = pa.Table.from_pylist(rows, schema=schema)
    if store.has_files(dataset, f"dt={day}"):
        kept = pq.read_table(target, schema=schema, filesystem=store.filesystem)
        keep = pa.array([c not in redone for c in kept.column("call_id").to_pylist()])
        fresh = pa.concat_tables([kept.filter(keep), fresh])
    order = [c for c in ("call_id", "utterance_index") if c in schema.names]
    fresh = fresh.sort_by([(c, "ascending") for c in order])
    staged = (dataset, f"dt={day}", f".part-0.{os.getpid()}.parquet.partial")
    store.write_table(fresh, *staged, compression="zstd")
    store.move(store.path(*staged), target)


def start_speech_datasets(settings: Settings) -> None:
    """Give ``lake/transcripts`` and ``lake/transcriptions`` one typed, empty file (under
    today's date) when nothing has been transcribed yet, so that readers of the lake (the dbt
    sources) find their columns; the first transcription of that day replaces it."""
    today = dt.date.today().isoformat()
    store = settings.lake_store
    for dataset, schema in (("transcripts", UTTERANCES), ("transcriptions", STATUSES)):
        if not store.has_files(dataset):
            _replace_partition(store, dataset, today, schema, [], set())


def publish_speech_tables(settings: Settings) -> None:
    """(Re)build ``speech.utterances`` and ``speech.transcriptions`` from the lake."""
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    lake = Lake(settings.lake_store)
    with lake.store.configure(duckdb.connect(str(settings.warehouse_path))) as con:
        con.execute("create schema if not exists speech")
        for table, schema in (("utterances", UTTERANCES), ("transcriptions", STATUSES)):
            dataset = "transcripts" if table == "utterances" else table
            con.register("empty_frame", pa.Table.from_pylist([], schema=schema))
            source = (f"read_parquet('{lake.files_glob(dataset)}', hive_partitioning = true)"
                      if lake.has_data(dataset)
                      else "(select *, null::date as dt from empty_frame)")
            order = "dt, call_id, utterance_index" if table == "utterances" else "dt, call_id"
            con.execute(f"create or replace table speech.{table} as select * from {source} "
                        f"order by {order}")
            con.unregister("empty_frame")
