"""Content compliance: the labels an utterance carries, and why.

An utterance carries a label when a versioned rule fires on it (``rules/content.yaml``) or the
trained model (``content_model``) gives it the label (a model veto in the rules file keeps the
model off the label's lawful counterpart, such as the rate disclosure itself); a label only
counts in the contexts it belongs to (``sales`` / ``collection``). Evidence names what decided:
the rule (id, version and the words it matched) or the model (name, version, score). Texts are
folded by sound first, so homophones written by speech recognition are matched as the words
they stand for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from conversation_analytics.content_model import ContentModel, load_or_train
from conversation_analytics.content_rules import (
    CONTEXTS,
    LABEL_CONTEXTS,
    LABELS,
    RuleSet,
    load_rules,
)
from conversation_analytics.phonetic import fold


@dataclass(frozen=True)
class Evidence:
    label: str
    rule_id: str
    rule_version: str
    severity: str
    text: str
    score: float | None = None


@dataclass(frozen=True)
class Classification:
    labels: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def as_json(self, id_: object) -> dict:
        return {"id": id_, "labels": self.labels,
                "evidence": [{k: v for k, v in asdict(e).items() if v is not None}
                             for e in self.evidence]}


class ContentEngine:
    def __init__(self, rules: RuleSet, model: ContentModel) -> None:
        self.rules = rules
        self.model = model

    @classmethod
    def load(cls, models_dir: Path | None) -> ContentEngine:
        """The shipped rules and the model of the shipped corpus (trained once, then cached
        in ``models_dir``)."""
        return cls(load_rules(), load_or_train(models_dir))

    @property
    def model_rule_id(self) -> str:
        return f"MODEL-{self.model.name}"

    def classify(self, contexts: Sequence[str], texts: Sequence[str]) -> list[Classification]:
        """One classification per utterance, in order."""
        for context in set(contexts):
            if context not in CONTEXTS:
                raise ValueError(f"context {context!r}: expected 'sales' or 'collection'")
        texts = [t or "" for t in texts]
        folded = [fold(t) for t in texts]
        ruled = self.rules.fired(texts, folded, list(contexts))
        modelled = self._model_labels(list(contexts), texts, folded)
        results = [Classification() for _ in texts]
        for i in sorted(ruled.keys() | modelled.keys()):
            evidence = [Evidence(h.rule.label, h.rule.id, h.rule.version, h.rule.severity,
                                 texts[i][h.start:h.end]) for h in ruled.get(i, ())]
            by_rule = {e.label for e in evidence}
            evidence += [Evidence(label, self.model_rule_id, self.model.version,
                                  self.rules.severity(label), texts[i], p)
                         for label, p in modelled.get(i, ())
                         if label not in by_rule and not self.rules.vetoed(label, folded[i])]
            labels = [label for label in LABELS if any(e.label == label for e in evidence)]
            results[i] = Classification(labels, evidence)
        return results

    def _model_labels(self, contexts: list[str], texts: list[str], folded: list[str]) -> dict[
            int, list[tuple[str, float]]]:
        """Per utterance index, the labels the model gives (only those the context allows)
        with their scores; utterances the model gives nothing are absent."""
        given, scores = self.model.labels(texts, folded, contexts)
        context_index = np.array([CONTEXTS.index(c) for c in contexts], dtype=int)
        allowed = np.array([[c in LABEL_CONTEXTS[label] for label in LABELS] for c in CONTEXTS])
        rows, columns = np.nonzero(given & allowed[context_index])
        found: dict[int, list[tuple[str, float]]] = {}
        for i, j in zip(rows.tolist(), columns.tolist(), strict=True):
            found.setdefault(i, []).append((LABELS[j], round(float(scores[i, j]), 3)))
        return found

    def unmet_statements(self, context: str, agent_texts: Sequence[str]) -> list[
            tuple[int, Evidence]]:
        """Conversation rules that fire on one conversation: (index of the agent turn that
        triggers each, its evidence)."""
        folded = [fold(t or "") for t in agent_texts]
        found = []
        for rule in self.rules.conversation_rules:
            if rule.context != context:
                continue
            index = rule.first_unmet(folded)
            if index is not None:
                found.append((index, Evidence(rule.label, rule.id, rule.version, rule.severity,
                                              agent_texts[index])))
        return found
