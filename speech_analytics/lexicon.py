"""Correcting homophones of lending terms in transcripts.

Whisper base knows everyday Mandarin better than lending jargon, so it often writes a term as
other characters with the same sound (逾期 → 预期, 于七; 还款 → 环款, 缓款). Compliance rules and
features downstream look for the terms, so a transcript stretch that sounds exactly like a term
in ``lexicon.txt`` (same syllables, tones ignored, any reading of a character with several) is
rewritten as the term. Only whole-term matches of two or more characters are touched.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from pypinyin import Style, pinyin


@cache
def _readings(char: str) -> frozenset[str]:
    """Every toneless reading of one character (itself when it is not Chinese)."""
    if not "\u4e00" <= char <= "\u9fff":
        return frozenset({char})
    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


@cache
def _terms() -> tuple[str, ...]:
    text = resources.files("speech_analytics").joinpath("lexicon.txt").read_text("utf-8")
    terms = {line.strip() for line in text.splitlines()
             if line.strip() and not line.startswith("#")}
    return tuple(sorted((t for t in terms if len(t) >= 2), key=lambda t: (-len(t), t)))


def _sounds_like(window: str, term: str) -> bool:
    return all(_readings(a) & _readings(b) for a, b in zip(window, term, strict=True))


def correct_terms(text: str) -> str:
    """``text`` with every stretch that sounds like a lexicon term written as the term
    (longest terms first, left to right, no overlaps)."""
    out, i = [], 0
    while i < len(text):
        for term in _terms():
            window = text[i:i + len(term)]
            if len(window) == len(term) and _sounds_like(window, term):
                out.append(term)
                i += len(term)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
