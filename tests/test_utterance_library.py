"""The utterance library: every compliance label, many paraphrases, hard negatives."""

from __future__ import annotations

import re
from collections import Counter

from ingestion.simulator.utterances import library

LABELS = {
    "rate_concealment", "intermediary_fee_hint", "false_limit_promise", "off_book_transaction",
    "abusive_language", "threat_intimidation", "third_party_disclosure", "threat_home_visit",
    "impersonation",
}
PLACEHOLDERS = {"apr", "daily_rate", "monthly_rate", "amount", "date", "income", "limit",
                "phone", "product", "company"}


def test_every_label_has_many_paraphrases_and_hard_negatives():
    lib = library()
    for label in LABELS:
        group = lib[label]
        assert group.labels == (label,)
        assert len(group.utterances) >= 40, label
        negatives = lib[f"{label}_negative"]
        assert negatives.labels == ()
        assert len(negatives.utterances) >= 25, label
        assert set(negatives.contexts) == set(group.contexts), label


def test_paraphrases_are_not_one_sentence_with_a_word_swapped():
    for label in LABELS:
        lines = library()[label].utterances
        openings = Counter(line[:4] for line in lines)
        assert openings.most_common(1)[0][1] <= len(lines) // 5, label


def test_hard_negatives_share_the_words_of_violations():
    lib = library()
    pairs = {"third_party_disclosure": "通讯录", "rate_concealment": "年化",
             "impersonation": "法院", "off_book_transaction": "账户"}
    for label, word in pairs.items():
        assert any(word in u for u in lib[f"{label}_negative"].utterances), label
        assert any(word in u for u in lib[label].utterances), label


def test_no_sentence_appears_twice_and_placeholders_are_known():
    seen: Counter[str] = Counter()
    for group in library().values():
        for line in group.utterances:
            seen[line] += 1
            assert set(re.findall(r"\{(\w+)\}", line)) <= PLACEHOLDERS, line
    assert max(seen.values()) == 1


def test_compliant_groups_carry_no_label():
    for key, group in library().items():
        if key not in LABELS:
            assert group.labels == (), key
        assert group.speaker in {"agent", "customer"}
        assert set(group.contexts) <= {"sales", "collection"}
