"""Scoring label predictions: precision, recall and F1 per label, micro-averaged, and how many
compliant utterances were flagged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from conversation_analytics.content_rules import LABELS


def label_metrics(truth: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]]) -> dict:
    """Per label and micro-averaged precision / recall / F1, plus ``flagged_compliant``: the
    share of utterances with no true label that got at least one."""
    truth = [set(t) for t in truth]
    predicted = [set(p) for p in predicted]
    per_label = {}
    totals = [0, 0, 0]
    for label in LABELS:
        tp = sum(label in t and label in p for t, p in zip(truth, predicted, strict=True))
        fp = sum(label not in t and label in p for t, p in zip(truth, predicted, strict=True))
        fn = sum(label in t and label not in p for t, p in zip(truth, predicted, strict=True))
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        if tp + fn or fp:
            per_label[label] = {**_prf(tp, fp, fn), "support": tp + fn}
    compliant = [p for t, p in zip(truth, predicted, strict=True) if not t]
    return {"micro": _prf(*totals), "labels": per_label,
            "flagged_compliant": round(sum(bool(p) for p in compliant) / max(len(compliant), 1),
                                       4),
            "utterances": len(truth), "compliant_utterances": len(compliant)}


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
