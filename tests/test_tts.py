"""Offline Mandarin TTS: what call scripts contain comes out as plausible, repeatable speech."""

from __future__ import annotations

import re

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as tfl

from ingestion.simulator.audio.tts import (
    MODELS,
    SAMPLE_RATE,
    MandarinVoice,
    _asset_dir,
    _clauses,
    _even_parts,
    _patched_model,
    _syllables,
)

GREETING = "您好，我是某某消费金融的客服，请问是张先生吗？"


@pytest.fixture(scope="module")
def voice() -> MandarinVoice:
    return MandarinVoice.load()


def seconds(audio: np.ndarray) -> float:
    return len(audio) / SAMPLE_RATE


def characters(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def test_numbers_are_spoken_as_people_read_them():
    spoken = "".join(clause for clause, _ in _clauses(
        "欠款3,280元，年化利率24%，2025年3月5日前还2笔，尾号6278，电话13812345678"))
    assert "三千二百八十元" in spoken
    assert "百分之二十四" in spoken
    assert "二零二五年三月五日" in spoken
    assert "两笔" in spoken
    assert "六二七八" in spoken and "幺三八幺二三四五六七八" in spoken
    assert not any(ch.isdigit() for ch in spoken)


def test_repay_is_read_huan_and_letters_are_spelled():
    assert _syllables(_clauses("请尽快还款")[0][0]) == ["qing3", "jin3", "kuai4", "huan2", "kuan3"]
    assert _syllables(_clauses("还有问题吗")[0][0])[0] == "hai2"
    assert _syllables("M二阶段APP")[:3] == ["ai4", "mu5", "er4"]


def test_pauses_follow_the_punctuation():
    pauses = [pause for _, pause in _clauses("好的，明天还。谢谢！")]
    assert pauses[0] < pauses[1] == pauses[2]


def test_long_clauses_are_cut_into_near_equal_parts():
    parts = _even_parts(list("一二三四五六七八九十") * 4, 16)
    assert [len(p) for p in parts] == [14, 14, 12]
    assert _even_parts([], 16) == []


@pytest.mark.parametrize("model", sorted(MODELS))
def test_patched_models_need_no_tensorflow_ops(model):
    patched = tfl.ModelT.InitFromPackedBuf(_patched_model(_asset_dir() / MODELS[model]), 0)
    assert not [code.customCode for code in patched.operatorCodes if code.customCode]


def test_same_text_gives_same_samples(voice):
    first, second = voice.synthesize(GREETING), voice.synthesize(GREETING)
    assert first.dtype == np.float32 and first.ndim == 1
    assert np.array_equal(first, second)
    assert np.abs(first).max() <= 1.0


def test_speech_is_audible_and_lasts_as_long_as_the_text(voice):
    short_text = "请问您现在方便接电话吗？"
    long_text = GREETING + "您的借款已经逾期十五天了，请于今天下午五点前还款。"
    short, long = voice.synthesize(short_text), voice.synthesize(long_text)
    assert np.sqrt(np.mean(short**2)) > 0.02
    assert seconds(long) > 2 * seconds(short)
    for text, audio in [(short_text, short), (long_text, long)]:
        assert 3 <= characters(text) / seconds(audio) <= 7


def test_speed_shortens_speech(voice):
    normal = seconds(voice.synthesize(GREETING))
    assert seconds(voice.synthesize(GREETING, speed=1.5)) < 0.8 * normal


@pytest.mark.parametrize("text", [
    "我们的年化利率是24%，不收取其他服务费。",
    "您的账户处于M2阶段，请在APP里还清，OK？",
    "【某某金融】“您好”😀，ｘ＃3..5 ∞",
    "根据合同约定您应当在每个月的还款日之前把当期应还的本金和利息足额存入您绑定的银行卡里",
])
def test_script_text_of_every_kind_is_spoken(voice, text):
    audio = voice.synthesize(text)
    assert len(audio) > SAMPLE_RATE // 2 and np.isfinite(audio).all()


@pytest.mark.parametrize("text", ["", "  ", "，。？！、：；“”", "😀%%"])
def test_nothing_to_say_gives_empty_audio(voice, text):
    audio = voice.synthesize(text)
    assert audio.dtype == np.float32 and audio.shape == (0,)


def test_tacotron2_also_speaks_deterministically():
    voice = MandarinVoice.load("tacotron2")
    audio = voice.synthesize("请问您现在方便接电话吗？")
    assert 1.5 < seconds(audio) < 4
    assert np.array_equal(audio, voice.synthesize("请问您现在方便接电话吗？"))
    with pytest.raises(ValueError, match="speed"):
        voice.synthesize("您好", speed=1.5)
