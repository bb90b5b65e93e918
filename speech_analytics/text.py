"""Chinese text as the speech stage writes and scores it.

Whisper often answers in traditional characters; every transcript is converted to simplified
Chinese. Scoring (character error rate) compares texts after removing punctuation and spaces and
spelling numbers out in Chinese, so that "3280元" and "三千二百八十元" count as the same words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import cn2an
import numpy as np
import opencc

_DIGIT_GROUPING = re.compile(r"(?<=\d),(?=\d{3})")


@cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


_HALF_WIDTH_MARKS = re.compile(r"(?<!\d)[,?!:;]|[,?!:;](?!\d)")
_FULL_WIDTH = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；"}


def to_simplified(text: str) -> str:
    """Simplified characters and Chinese (full-width) punctuation; digit groups like 7,355
    keep their comma."""
    text = _to_simplified().convert(text)
    return _HALF_WIDTH_MARKS.sub(lambda m: _FULL_WIDTH[m[0]], text)


def for_scoring(text: str) -> str:
    """Simplified characters, numbers spelled in Chinese, no punctuation or spaces, lower case."""
    text = _DIGIT_GROUPING.sub("", to_simplified(unicodedata.normalize("NFKC", text)))
    text = cn2an.transform(text, "an2cn")
    return "".join(ch for ch in text.lower() if unicodedata.category(ch)[0] in "LN")


def edit_distance(reference: str, hypothesis: str) -> int:
    """Levenshtein distance in characters (one row of the table at a time, vectorised)."""
    if not reference:
        return len(hypothesis)
    ref = np.frombuffer(reference.encode("utf-32-le"), dtype=np.uint32)
    previous = np.arange(len(ref) + 1)
    for i, ch in enumerate(hypothesis, start=1):
        substitution = previous[:-1] + (ref != ord(ch))
        deletion = previous[1:] + 1
        row = np.empty_like(previous)
        row[0] = i
        row[1:] = np.minimum(substitution, deletion)
        # insertions run along the row: a running minimum of (row[j-1] + 1)
        row = np.minimum.accumulate(row - np.arange(len(row))) + np.arange(len(row))
        previous = row
    return int(previous[-1])


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance over the reference length, both normalised with :func:`for_scoring`."""
    ref, hyp = for_scoring(reference), for_scoring(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)
