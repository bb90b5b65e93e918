"""Reading a recording and deciding whether it can be transcribed.

A recording that cannot be transcribed is not an error of the batch: :func:`load_recording`
raises :class:`RecordingRejected` with a status and a reason for that one file, and the caller
records both and goes on with the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

ASR_RATE = 16_000
MIN_RATE, MAX_RATE = 8_000, 96_000
READABLE_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3"}
SILENCE_PEAK = 10 ** (-60 / 20)  # -60 dBFS: below this nothing audible was captured


class RecordingRejected(Exception):
    """A recording that will not be transcribed; ``status`` says why in one word."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Recording:
    """A recording resampled for recognition: one 16 kHz float32 array per channel."""

    path: Path
    channels: list[np.ndarray]
    source_rate: int
    duration_s: float

    @property
    def stereo(self) -> bool:
        return len(self.channels) == 2


def load_recording(path: Path, max_duration_s: float) -> Recording:
    """Read ``path`` (WAV, FLAC, OGG or MP3; mono or stereo; 8–96 kHz), check it and resample
    every channel to 16 kHz."""
    path = Path(path)
    if not path.exists():
        raise RecordingRejected("missing", f"{path} does not exist")
    info = _info(path)
    if info.frames == 0:
        raise RecordingRejected("empty", f"{path} holds no audio frames")
    if not MIN_RATE <= info.samplerate <= MAX_RATE:
        raise RecordingRejected("unsupported_rate", f"{path} is sampled at {info.samplerate} Hz;"
                                f" recordings must be {MIN_RATE}–{MAX_RATE} Hz")
    if info.channels not in (1, 2):
        raise RecordingRejected("unsupported_format", f"{path} has {info.channels} channels; "
                                "expected mono or stereo (agent left, customer right)")
    duration = info.frames / info.samplerate
    if duration > max_duration_s:
        raise RecordingRejected("too_long", f"{path} lasts {duration:.0f} s, over the limit of "
                                f"{max_duration_s:.0f} s (raise WORKPHONE_ASR_MAX_SECONDS)")
    try:
        samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError) as error:
        raise RecordingRejected("corrupt", f"{path} cannot be decoded: {error}") from error
    if samples.shape[0] == 0:
        raise RecordingRejected("corrupt", f"{path} declares {info.frames} frames but has none")
    if float(np.max(np.abs(samples))) < SILENCE_PEAK:
        raise RecordingRejected("silent", f"{path} is silent (peak below -60 dBFS)")
    channels = [_resample(samples[:, c], rate) for c in range(samples.shape[1])]
    return Recording(path, channels, rate, samples.shape[0] / rate)


def _info(path: Path):
    try:
        return soundfile.info(path)
    except (soundfile.LibsndfileError, RuntimeError) as error:
        if path.suffix.lower() in READABLE_SUFFIXES:
            raise RecordingRejected("corrupt", f"{path} is damaged: {error}") from error
        raise RecordingRejected("unsupported_format", f"{path}: format not supported "
                                f"({error}); convert it to WAV or FLAC") from error


def _resample(samples: np.ndarray, rate: int) -> np.ndarray:
    if rate == ASR_RATE:
        return np.ascontiguousarray(samples, dtype=np.float32)
    divisor = gcd(rate, ASR_RATE)
    return resample_poly(samples, ASR_RATE // divisor, rate // divisor).astype(np.float32)
