"""Speech recognition backends behind one small interface.

A backend turns 16 kHz mono audio that is all speech (the caller has cut out the silence) into
timed words. Everything else (channels, chunking, turns, normalisation) is backend-independent
and lives in :mod:`speech_analytics.transcribe`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Protocol

import numpy as np

from speech_analytics.model_store import model_info, version_tag


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


class AsrBackend(Protocol):
    name: str
    model: str
    model_version: str

    def recognise(self, speech: np.ndarray) -> list[Word]:
        """Words of ``speech`` (16 kHz mono float32, under 30 s), times in seconds from its
        start."""
        ...


# backend name -> (the Python distribution that runs it, its short tag in model versions)
ENGINES = {"faster-whisper": ("faster-whisper", "fw"), "whisperx": ("whisperx", "wx")}
BACKENDS = tuple(ENGINES)


def backend_identity(name: str, model_dir: Path) -> tuple[str, str, str]:
    """(backend, model, model version) that backend ``name`` records on every utterance,
    known without loading the model: enough to tell what it has already transcribed."""
    if name not in ENGINES:
        raise ValueError(f"unknown ASR backend {name!r}; choose one of {BACKENDS} "
                         "(WORKPHONE_ASR_BACKEND)")
    distribution, tag = ENGINES[name]
    engine = f"{tag}{metadata.version(distribution)}"
    return name, model_info(model_dir)["name"], version_tag(model_dir, engine)


def load_backend(name: str, model_dir: Path, threads: int = 2, beam_size: int = 5,
                 align_model_dir: Path | None = None) -> AsrBackend:
    """The backend called ``name`` with the model in ``model_dir``."""
    if name == "faster-whisper":
        from speech_analytics.backends.faster_whisper_backend import FasterWhisperBackend

        return FasterWhisperBackend(model_dir, threads=threads, beam_size=beam_size)
    if name == "whisperx":
        from speech_analytics.backends.whisperx_backend import WhisperXBackend

        return WhisperXBackend(model_dir, align_model_dir=align_model_dir, beam_size=beam_size)
    raise ValueError(f"unknown ASR backend {name!r}; choose one of {BACKENDS} "
                     "(WORKPHONE_ASR_BACKEND)")


def load_configured_backend(settings) -> AsrBackend:
    """The backend a :class:`workphone.settings.Settings` names, with its options."""
    return load_backend(settings.asr_backend, settings.asr_model_dir, settings.asr_threads,
                        settings.asr_beam_size, settings.asr_align_model_dir)
