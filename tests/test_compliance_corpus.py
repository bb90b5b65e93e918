"""The labelled compliance corpus: schema, coverage, hard negatives, and no overlap with the
simulator's utterance library (the classifier is evaluated on simulated conversations)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "conversation_analytics" / "corpus"
LIBRARY = ROOT / "ingestion" / "simulator" / "utterances"

# label -> contexts it may occur in (COMPLIANCE_RULES.md, content labels table)
LABEL_CONTEXTS = {
    "rate_concealment": {"sales"},
    "intermediary_fee_hint": {"sales"},
    "false_limit_promise": {"sales"},
    "off_book_transaction": {"sales", "collection"},
    "abusive_language": {"sales", "collection"},
    "threat_intimidation": {"collection"},
    "third_party_disclosure": {"collection"},
    "threat_home_visit": {"collection"},
    "impersonation": {"collection"},
}
LABELS = set(LABEL_CONTEXTS)
CONTEXTS = {"sales", "collection"}
COMPLIANT_FILES = {"compliant_sales", "compliant_collection", "hard_negatives"}
SECTIONS = ("examples", "asr_examples")
KEYS = {"text", "context", "labels", "near"}

MIN_POSITIVES = 120
MIN_ASR = 20
MIN_HARD_NEGATIVES = 250
MIN_HARD_NEGATIVES_PER_LABEL = 15
MIN_COMPLIANT = 200

# Whisper-style homophone errors and mixed numerals that mark an ASR-style example
ASR_MARKERS = (
    "年华", "利西", "日西", "月西", "利律", "服物费", "幅物费", "手续废", "额渡", "审皮", "带款",
    "正信", "于七", "预期", "环款", "缓款", "私帐", "通讯陆", "通迅录", "法苑", "公安句",
    "检查院", "检查官", "派处所", "经真", "传漂", "法管", "执形局", "监管句", "保正金", "中届",
    "包状", "放宽", "下宽", "微心", "支付包", "卡浩", "尚门", "上们", "外仿", "单味", "领到",
    "同是", "亲有", "坐劳", "后过", "拘六", "老来", "无懒", "神精病", "白吃", "骗纸", "废务",
    "垃极", "通过律",
)
MIXED_NUMERAL = re.compile(r"\d\s*[十百千万]|[零一二三四五六七八九十两百千万点]\s*\d|分之\d")


def normalise(text: str) -> str:
    """Keep only letters and digits (Unicode categories L* and N*)."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def load_corpus() -> dict[str, dict[str, list]]:
    files = {}
    for path in sorted(CORPUS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict), path.name
        assert set(data) <= set(SECTIONS) and "examples" in data, path.name
        files[path.stem] = {section: data.get(section) or [] for section in SECTIONS}
    return files


def all_entries():
    for name, sections in load_corpus().items():
        for section, entries in sections.items():
            for entry in entries:
                yield name, section, entry


def _strings(node):
    """Every string that sits in a list anywhere in a library file."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, str):
                yield item
            else:
                yield from _strings(item)


def library_templates() -> list[str]:
    templates = []
    for path in sorted(LIBRARY.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "groups" in data, path.name
        templates.extend(_strings(data))
    return templates


def template_regex(template: str) -> re.Pattern[str]:
    pieces = re.split(r"\{[^{}]*\}", template)
    return re.compile(".+?".join(re.escape(normalise(piece)) for piece in pieces))


def test_corpus_has_every_file():
    expected = LABELS | COMPLIANT_FILES
    assert set(load_corpus()) == expected


def test_schema_and_contexts():
    for name, section, entry in all_entries():
        where = f"{name}/{section}: {entry!r}"
        assert isinstance(entry, dict) and set(entry) <= KEYS, where
        assert {"text", "context", "labels"} <= set(entry), where
        text, context, labels = entry["text"], entry["context"], entry["labels"]
        assert isinstance(text, str) and text.strip() == text and normalise(text), where
        assert "{" not in text and "}" not in text, where
        assert context in CONTEXTS, where
        assert isinstance(labels, list) and len(set(labels)) == len(labels), where
        assert set(labels) <= LABELS, where
        for label in labels:
            assert context in LABEL_CONTEXTS[label], where
        if name in LABELS:
            assert labels and labels[0] == name, where
        else:
            assert labels == [] and section == "examples", where
        if name == "hard_negatives":
            assert entry.get("near") in LABELS, where
            assert context in LABEL_CONTEXTS[entry["near"]], where
        else:
            assert "near" not in entry, where


def test_positive_coverage_per_label():
    corpus = load_corpus()
    for label in LABELS:
        sections = corpus[label]
        positives = sections["examples"] + sections["asr_examples"]
        assert len(positives) >= MIN_POSITIVES, (label, len(positives))
        assert len(sections["asr_examples"]) >= MIN_ASR, label
        lengths = [len(normalise(entry["text"])) for entry in positives]
        assert min(lengths) <= 8 and max(lengths) >= 30, (label, min(lengths), max(lengths))


def test_asr_examples_look_like_asr_output():
    corpus = load_corpus()
    for label in LABELS:
        for entry in corpus[label]["asr_examples"]:
            text = entry["text"]
            assert any(m in text for m in ASR_MARKERS) or MIXED_NUMERAL.search(text), text


def test_paraphrases_vary_in_opening():
    corpus = load_corpus()
    for label in LABELS:
        texts = [e["text"] for s in SECTIONS for e in corpus[label][s]]
        openings = Counter(normalise(t)[:4] for t in texts)
        assert openings.most_common(1)[0][1] <= len(texts) // 8, (label, openings.most_common(3))


def test_hard_negatives_cover_every_label():
    entries = load_corpus()["hard_negatives"]["examples"]
    assert len(entries) >= MIN_HARD_NEGATIVES
    per_label = Counter(entry["near"] for entry in entries)
    for label in LABELS:
        assert per_label[label] >= MIN_HARD_NEGATIVES_PER_LABEL, (label, per_label[label])


def test_compliant_files_are_large_and_cover_both_speakers_contexts():
    corpus = load_corpus()
    for name, context in (("compliant_sales", "sales"), ("compliant_collection", "collection")):
        entries = corpus[name]["examples"]
        assert len(entries) >= MIN_COMPLIANT, (name, len(entries))
        assert all(entry["context"] == context for entry in entries), name


def test_no_corpus_text_matches_a_library_template():
    patterns = [(t, template_regex(t)) for t in library_templates()]
    assert len(patterns) > 500
    clashes = []
    for name, _section, entry in all_entries():
        text = normalise(entry["text"])
        for template, pattern in patterns:
            if pattern.fullmatch(text):
                clashes.append((name, entry["text"], template))
    assert not clashes, clashes[:20]


def test_no_duplicate_texts():
    seen = Counter(normalise(entry["text"]) for _n, _s, entry in all_entries())
    duplicates = [text for text, count in seen.items() if count > 1]
    assert not duplicates, duplicates[:20]
