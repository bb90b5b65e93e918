"""Optional backend for machines with a CUDA GPU: whisperx (batched faster-whisper, plus
wav2vec2 forced alignment for word times when an alignment model folder is given).

Install with the ``gpu`` extra. whisperx's own voice-activity models come from a model hub, so
this backend hands it audio that is already cut to speech and tells it to treat the input as one
segment; without a local alignment model each recognised segment becomes one timed word group.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from speech_analytics.backends import Word, backend_identity

try:
    import whisperx
    from whisperx.vads.vad import Vad
except ImportError as error:  # pragma: no cover - depends on the machine
    raise ImportError("the whisperx backend needs `pip install .[gpu]` on a CUDA machine; "
                      "use WORKPHONE_ASR_BACKEND=faster-whisper elsewhere") from error


class _WholeInput(Vad):
    """A voice-activity 'model' that declares the whole input speech (the caller cut it)."""

    def __init__(self) -> None:
        super().__init__(vad_onset=0.5)

    @staticmethod
    def preprocess_audio(audio):
        return audio

    def __call__(self, inputs: dict) -> list:
        seconds = len(inputs["waveform"]) / inputs["sample_rate"]
        return [SimpleNamespace(start=0.0, end=seconds, speaker=None)]


class WhisperXBackend:
    name = "whisperx"

    def __init__(self, model_dir: Path, align_model_dir: Path | None = None,
                 device: str = "cuda", batch_size: int = 16, beam_size: int = 5) -> None:
        _, self.model, self.model_version = backend_identity(self.name, model_dir)
        self.device = device
        self.batch_size = batch_size
        self._pipeline = whisperx.load_model(
            str(model_dir), device, compute_type="float16", language="zh",
            asr_options={"beam_size": beam_size}, vad_model=_WholeInput(),
            local_files_only=True)
        self._aligner = None
        if align_model_dir is not None:
            self._aligner = whisperx.load_align_model(
                "zh", device, model_dir=str(align_model_dir), model_cache_only=True)

    def recognise(self, speech: np.ndarray) -> list[Word]:
        result = self._pipeline.transcribe(speech, batch_size=self.batch_size, language="zh")
        segments = result["segments"]
        if self._aligner is None:
            return [Word(s["start"], s["end"], s["text"], 1.0) for s in segments]
        model, meta = self._aligner
        aligned = whisperx.align(segments, model, meta, speech, self.device)
        return [Word(w["start"], w["end"], w["word"], w.get("score", 1.0))
                for w in aligned["word_segments"] if "start" in w]

