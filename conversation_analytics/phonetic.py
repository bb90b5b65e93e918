"""Text folded by sound, so that homophones written by speech recognition compare equal.

Whisper writes a lending term it does not know as other characters with the same sound: 年华
for 年化, 于七 for 逾期, 幅物费 for 服务费. Folding maps every Chinese character to one
representative character of its toneless first reading (华 and 化 both read *hua*), folds
full-width forms and case, and keeps every position (a span of the folded text is the same
span of the original). Rules and the model both work on folded text, so a
rule written as 年化 also matches 年华, and the model sees one feature for both spellings.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from pypinyin.pinyin_dict import pinyin_dict


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ü", "v")


@cache
def _table() -> dict[int, str]:
    representative: dict[str, int] = {}
    sound_of: dict[int, str] = {}
    for code in sorted(pinyin_dict):
        if not 0x4E00 <= code <= 0x9FFF:
            continue
        sound = _toneless(pinyin_dict[code].split(",")[0])
        sound_of[code] = sound
        representative.setdefault(sound, code)
    table = {code: chr(representative[sound]) for code, sound in sound_of.items()
             if representative[sound] != code}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII forms
        table[code] = chr(code - 0xFEE0).lower()
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    table[0x3000] = " "  # ideographic space; one character for one, so spans line up
    return table


def fold(text: str) -> str:
    """``text`` with every character replaced by the representative of its sound."""
    return text.translate(_table())


def fold_pattern(pattern: str) -> str:
    """A regular expression written with ordinary characters, folded like the text it is
    matched against (only literal characters change: Chinese ones and letters)."""
    return pattern.translate(_chinese_table())


@cache
def _chinese_table() -> dict[int, str]:
    return {k: v for k, v in _table().items() if 0x4E00 <= k <= 0x9FFF}
