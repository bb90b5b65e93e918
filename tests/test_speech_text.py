"""Text handling of the speech stage: scoring, simplified Chinese, lending-term correction,
turn cutting and chunk packing (pure logic, no model)."""

from __future__ import annotations

import pytest

from speech_analytics.lexicon import correct_terms
from speech_analytics.text import character_error_rate, edit_distance, for_scoring, to_simplified
from speech_analytics.transcribe import _TimedWord, pack_regions, turns


@pytest.mark.parametrize(("a", "b", "distance"), [
    ("", "", 0), ("", "abc", 3), ("abc", "", 3), ("kitten", "sitting", 3),
    ("逾期还款", "预期还款", 1), ("还款计划", "还款", 2), ("abcdef", "azcdxf", 2),
])
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b) == distance


def test_scoring_ignores_punctuation_and_number_spelling():
    assert for_scoring("欠款3,280元，年化24%！") == "欠款三千二百八十元年化百分之二十四"
    assert character_error_rate("欠款3280元。", "欠款三千二百八十元") == 0.0
    # one wrong character out of eleven in the normalised reference
    cer = character_error_rate("您的欠款3280元。", "你的欠款三千二百八十元")
    assert cer == pytest.approx(1 / 11)


def test_simplified_with_chinese_punctuation():
    assert to_simplified("您好,請問7,355元還款嗎?") == "您好，请问7,355元还款吗？"


@pytest.mark.parametrize(("heard", "meant"), [
    ("这笔已经预期三天了", "这笔已经逾期三天了"),
    ("于七以后会上征信", "逾期以后会上征信"),
    ("请按时环款", "请按时还款"),
    ("年化力率是百分之二十四", "年化利率是百分之二十四"),
    ("我还是想想吧", "我还是想想吧"),  # no term sounds like this: untouched
])
def test_lending_terms_restored(heard, meant):
    assert correct_terms(heard) == meant


def _word(start, end, speaker, text):
    return _TimedWord(start, end, speaker, text, 0.9)


def test_turns_cut_at_speaker_changes_and_long_pauses():
    words = [_word(0.0, 0.4, "agent", "您好"), _word(0.5, 0.9, "agent", "请问"),
             _word(1.2, 1.6, "customer", "你好"), _word(3.0, 3.4, "customer", "什么事"),
             _word(3.5, 3.9, "agent", "关于还款")]
    cut = turns(list(reversed(words)))  # order of arrival does not matter
    assert [(u.speaker, u.text, u.start, u.end) for u in cut] == [
        ("agent", "您好请问", 0.0, 0.9), ("customer", "你好", 1.2, 1.6),
        ("customer", "什么事", 3.0, 3.4), ("agent", "关于还款", 3.5, 3.9)]


def test_speech_regions_packed_without_exceeding_the_chunk():
    regions = [{"start": s, "end": s + 10} for s in range(0, 200, 20)]  # ten 10-sample regions
    packs = list(pack_regions(regions, max_samples=25))
    assert [len(p) for p in packs] == [2, 2, 2, 2, 2]
    assert [r for p in packs for r in p] == regions
    assert list(pack_regions([{"start": 0, "end": 99}], 25)) == [[{"start": 0, "end": 99}]]
