"""The default backend: faster-whisper (CTranslate2) on the CPU, int8."""

from __future__ import annotations

from pathlib import Path

import faster_whisper
import numpy as np

from speech_analytics.backends import Word, backend_identity


class FasterWhisperBackend:
    name = "faster-whisper"

    def __init__(self, model_dir: Path, threads: int = 2, beam_size: int = 5) -> None:
        _, self.model, self.model_version = backend_identity(self.name, model_dir)
        self.beam_size = beam_size
        self._whisper = faster_whisper.WhisperModel(
            str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads)

    def recognise(self, speech: np.ndarray) -> list[Word]:
        # Silence is already cut out, so no VAD here; no conditioning on earlier text, which is
        # what makes long inputs loop.
        segments, _ = self._whisper.transcribe(
            speech, language="zh", task="transcribe", beam_size=self.beam_size,
            vad_filter=False, word_timestamps=True, condition_on_previous_text=False)
        return [Word(w.start, w.end, w.word, w.probability)
                for segment in segments for w in (segment.words or [])]
