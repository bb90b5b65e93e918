"""One recording → utterances: who said what, when.

Stereo work-phone recordings carry the agent on the left channel and the customer on the right,
so each channel is recognised on its own and the speaker comes from the channel, not from a
guess. Per channel: voice activity detection (Silero, bundled with faster-whisper) finds the
speech; the speech regions are packed, in order, into chunks of at most ``CHUNK_SPEECH_S`` of
speech, cut only at silences; each chunk is recognised independently (no conditioning on the
previous chunk, which is what makes Whisper loop or drop text on long inputs) and its word times
are mapped back to the recording's clock. Words of both channels are then merged by time and cut
into utterances wherever the speaker changes or a pause exceeds ``TURN_PAUSE_S``; their text
is converted to simplified characters and lending terms heard as homophones are restored
(:mod:`speech_analytics.lexicon`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from faster_whisper.vad import SpeechTimestampsMap, VadOptions, get_speech_timestamps

from speech_analytics.audio import ASR_RATE, Recording, load_recording
from speech_analytics.backends import AsrBackend, Word
from speech_analytics.lexicon import correct_terms
from speech_analytics.text import to_simplified

CHUNK_SPEECH_S = 25.0
TURN_PAUSE_S = 0.6
VAD = VadOptions(min_silence_duration_ms=300, speech_pad_ms=150)
SPEAKERS = {1: ("unknown",), 2: ("agent", "customer")}
LANGUAGE = "zh"


@dataclass(frozen=True)
class Utterance:
    start: float
    end: float
    speaker: str
    text: str
    confidence: float
    heard: str = ""
    """The text as recognised, before lending terms were restored (for audits)."""


@dataclass
class Transcript:
    duration_s: float
    model: str
    model_version: str
    channels: int
    utterances: list[Utterance] = field(default_factory=list)
    language: str = LANGUAGE

    def as_json(self) -> dict:
        return {"duration_s": round(self.duration_s, 3), "language": self.language,
                "model": f"{self.model} {self.model_version}",
                "segments": [{"start": u.start, "end": u.end, "speaker": u.speaker,
                              "text": u.text} for u in self.utterances]}


@dataclass(frozen=True)
class _TimedWord:
    start: float
    end: float
    speaker: str
    text: str
    probability: float


def transcribe_file(backend: AsrBackend, path: Path, max_duration_s: float = 7200) -> Transcript:
    """Transcribe one recording; raises ``RecordingRejected`` when it cannot be."""
    return transcribe_recording(backend, load_recording(path, max_duration_s))


def transcribe_recording(backend: AsrBackend, recording: Recording) -> Transcript:
    channels = _distinct_channels(recording.channels)
    words: list[_TimedWord] = []
    for speaker, audio in zip(SPEAKERS[len(channels)], channels, strict=True):
        words.extend(_TimedWord(w.start, w.end, speaker, w.text, w.probability)
                     for w in recognise_channel(backend, audio))
    return Transcript(duration_s=recording.duration_s, model=backend.model,
                      model_version=backend.model_version, channels=len(channels),
                      utterances=turns(words))


def recognise_channel(backend: AsrBackend, audio: np.ndarray) -> list[Word]:
    """Words of one channel with times on the channel's clock (seconds)."""
    regions = get_speech_timestamps(audio, VAD)
    words: list[Word] = []
    for pack in pack_regions(regions, int(CHUNK_SPEECH_S * ASR_RATE)):
        speech = np.concatenate([audio[r["start"]:r["end"]] for r in pack])
        clock = SpeechTimestampsMap(pack, ASR_RATE)
        words.extend(Word(clock.get_original_time(w.start),
                          clock.get_original_time(w.end, is_end=True), w.text, w.probability)
                     for w in backend.recognise(speech))
    return words


def pack_regions(regions: list[dict], max_samples: int) -> Iterable[list[dict]]:
    """Consecutive speech regions grouped so that each group holds at most ``max_samples`` of
    speech (a single longer region, which VAD rarely yields, forms a group of its own)."""
    pack: list[dict] = []
    size = 0
    for region in regions:
        length = region["end"] - region["start"]
        if pack and size + length > max_samples:
            yield pack
            pack, size = [], 0
        pack.append(region)
        size += length
    if pack:
        yield pack


def turns(words: list[_TimedWord]) -> list[Utterance]:
    """Cut time-ordered words into utterances at speaker changes and long pauses."""
    utterances: list[Utterance] = []
    current: list[_TimedWord] = []
    for word in sorted(words, key=lambda w: (w.start, w.end)):
        if current and (word.speaker != current[-1].speaker
                        or word.start - current[-1].end > TURN_PAUSE_S):
            utterances.append(_utterance(current))
            current = []
        current.append(word)
    if current:
        utterances.append(_utterance(current))
    return [u for u in utterances if u.text]


def _utterance(words: list[_TimedWord]) -> Utterance:
    heard = to_simplified("".join(w.text for w in words).strip())
    return Utterance(start=round(words[0].start, 2), end=round(words[-1].end, 2),
                     speaker=words[0].speaker, text=correct_terms(heard),
                     confidence=round(float(np.mean([w.probability for w in words])), 3),
                     heard=heard)


def _distinct_channels(channels: list[np.ndarray]) -> list[np.ndarray]:
    """A stereo file whose two channels carry the same signal is a mono recording: treat it so
    (speaker unknown) instead of transcribing everything twice under two names."""
    if len(channels) == 2:
        left, right = channels
        scale = float(np.sqrt(np.mean(left**2) * np.mean(right**2)))
        if scale > 0 and float(np.mean(left * right)) / scale > 0.98:
            return [(left + right) / 2]
    return channels
