"""A planted call conversation rendered as the stereo recording a work phone would upload.

Agent on the left channel, customer on the right, each turn synthesised from the very text that
was planted, with the customer's voice pitched down so the two parties sound different. Turns
follow each other with human response pauses; a faint noise floor sits under everything. A
recording can be passed through a phone line: band-limited to 300–3400 Hz, sampled at 8 kHz and
μ-law companded, as a carrier delivers it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from math import gcd

import numpy as np
import soundfile
from scipy.signal import butter, resample_poly, sosfilt

from ingestion.simulator.audio.tts import SAMPLE_RATE as VOICE_RATE
from ingestion.simulator.audio.tts import MandarinVoice

WIDEBAND_RATE = 16_000
PHONE_RATE = 8_000
NOISE_DBFS = -58.0
LEAD_IN_S = (0.3, 0.8)
REPLY_PAUSE_S = (0.35, 1.1)  # the other party answers
CONTINUE_PAUSE_S = (0.25, 0.6)  # the same party goes on
PEAK = 0.7


@dataclass(frozen=True)
class Turn:
    speaker: str  # "agent" | "customer"
    text: str


@dataclass(frozen=True)
class RenderedCall:
    wav: bytes
    sample_rate: int
    duration_s: float
    timings: list[tuple[float, float]]  # (start, end) seconds of each turn


def render_call(voice: MandarinVoice, turns: list[Turn], rng: np.random.Generator,
                phone_line: bool, customer_semitones: float = -3.0) -> RenderedCall:
    """Synthesise ``turns`` into a stereo 16-bit WAV (16 kHz, or 8 kHz through a phone line)."""
    rate = PHONE_RATE if phone_line else WIDEBAND_RATE
    pieces, timings = [], []
    clock = rng.uniform(*LEAD_IN_S)
    previous = None
    for turn in turns:
        if previous is not None:
            clock += rng.uniform(*(CONTINUE_PAUSE_S if turn.speaker == previous
                                   else REPLY_PAUSE_S))
        audio = voice.synthesize(turn.text, speed=float(rng.uniform(0.95, 1.1)))
        if turn.speaker == "customer":
            audio = pitch_shift(audio, customer_semitones)
        audio = _resample(audio, VOICE_RATE, rate)
        start = int(round(clock * rate))
        pieces.append((0 if turn.speaker == "agent" else 1, start, audio))
        timings.append((round(clock, 2), round(clock + len(audio) / rate, 2)))
        clock += len(audio) / rate
        previous = turn.speaker
    total = int(round((clock + rng.uniform(*LEAD_IN_S)) * rate))
    stereo = np.zeros((total, 2), dtype=np.float32)
    for channel, start, audio in pieces:
        stereo[start:start + len(audio), channel] += audio
    stereo *= PEAK / max(float(np.max(np.abs(stereo))), 1e-6)
    stereo += rng.normal(0.0, 10 ** (NOISE_DBFS / 20), stereo.shape).astype(np.float32)
    if phone_line:
        stereo = phone_channel(stereo, rate)
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(stereo, -1, 1), rate, subtype="PCM_16", format="WAV")
    return RenderedCall(buffer.getvalue(), rate, total / rate, timings)


def pitch_shift(audio: np.ndarray, semitones: float) -> np.ndarray:
    """Lower (or raise) the pitch by resampling: a tape-speed change, so a lower voice also
    speaks a little slower, which suits telling two parties apart."""
    if semitones == 0:
        return audio
    factor = 2 ** (-semitones / 12)  # > 1 lengthens the audio: lower pitch
    up = int(round(factor * 100))
    return resample_poly(audio, up, 100).astype(np.float32)


def phone_channel(stereo: np.ndarray, rate: int) -> np.ndarray:
    """Telephone band (300–3400 Hz) and 8-bit μ-law companding, per channel."""
    band = butter(4, [300, 3400], btype="bandpass", fs=rate, output="sos")
    filtered = sosfilt(band, stereo, axis=0)
    mu = 255.0
    companded = np.sign(filtered) * np.log1p(mu * np.abs(filtered)) / np.log1p(mu)
    quantised = np.round(companded * 127) / 127
    return (np.sign(quantised) * np.expm1(np.abs(quantised) * np.log1p(mu)) / mu).astype(
        np.float32)


def _resample(audio: np.ndarray, source: int, target: int) -> np.ndarray:
    divisor = gcd(source, target)
    return resample_poly(audio, target // divisor, source // divisor).astype(np.float32)
