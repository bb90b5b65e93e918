"""Versioned content rules (``rules/content.yaml``): load, validate, compile and match.

Each rule is a label, a severity, a source, a version and regular expressions; it fires on an
utterance when one of its ``patterns`` matches the sound-folded text and none of its ``unless``
patterns does. The labels and the contexts they apply in are those of the compliance rules
(COMPLIANCE_RULES.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, field_validator

from conversation_analytics.phonetic import fold_pattern
from conversation_analytics.rules_files import load_rules_file

LABEL_CONTEXTS: dict[str, tuple[str, ...]] = {
    "rate_concealment": ("sales",),
    "intermediary_fee_hint": ("sales",),
    "false_limit_promise": ("sales",),
    "off_book_transaction": ("sales", "collection"),
    "abusive_language": ("sales", "collection"),
    "threat_intimidation": ("collection",),
    "third_party_disclosure": ("collection",),
    "threat_home_visit": ("collection",),
    "impersonation": ("collection",),
}
LABELS = tuple(LABEL_CONTEXTS)
CONTEXTS = ("sales", "collection")
Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


class RulesError(ValueError):
    """A rules file that cannot be used, with the rule and key at fault."""


def _known_label(label: str) -> str:
    if label not in LABEL_CONTEXTS:
        raise ValueError(f"unknown label {label!r}; expected one of {', '.join(LABELS)}")
    return label


def _compiling(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"pattern {pattern!r} is not a regular expression: "
                             f"{error}") from error
    return patterns


class _Rule(BaseModel):
    """What every content rule states: its id, label, severity, source and version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    severity: Severity
    source: str
    version: str
    description: str

    _label = field_validator("label")(lambda cls, label: _known_label(label))


class ContentRule(_Rule):
    patterns: list[str]
    unless: list[str] = []
    sound: bool = False
    """Match the sound-folded text (for lending terms that speech recognition writes as
    homophones: 年华 for 年化); otherwise the text as written, where folding would make
    everyday words collide (出生 sounds like 畜生)."""

    _patterns = field_validator("patterns", "unless")(lambda cls, p: _compiling(p))

    @cached_property
    def matcher(self) -> re.Pattern:
        return _union(self.patterns, self.sound)

    @cached_property
    def guard(self) -> re.Pattern | None:
        return _union(self.unless, self.sound) if self.unless else None


@dataclass(frozen=True)
class RuleHit:
    rule: ContentRule
    start: int
    end: int


class ConversationRule(_Rule):
    """A statement a whole conversation must make: fires when an agent turn matches ``when``
    and no agent turn matches ``missing``."""

    context: Literal["sales", "collection"]
    when: list[str]
    missing: list[str]

    _patterns = field_validator("when", "missing")(lambda cls, p: _compiling(p))

    @cached_property
    def trigger(self) -> re.Pattern:
        return _union(self.when, sound=True)

    @cached_property
    def required(self) -> re.Pattern:
        return _union(self.missing, sound=True)

    def first_unmet(self, agent_turns: list[str]) -> int | None:
        """Index (into ``agent_turns``, sound-folded) of the turn that triggers the rule, or
        None when the rule does not fire."""
        first = next((i for i, t in enumerate(agent_turns) if self.trigger.search(t)), None)
        if first is None or any(self.required.search(t) for t in agent_turns):
            return None
        return first


class ModelVeto(BaseModel):
    """Utterances on which the model may not give ``label`` (a rule still may): statements
    that are the lawful counterpart of the violation, such as the rate disclosure itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    description: str
    patterns: list[str]

    _label = field_validator("label")(lambda cls, label: _known_label(label))
    _patterns = field_validator("patterns")(lambda cls, p: _compiling(p))

    @cached_property
    def matcher(self) -> re.Pattern:
        return _union(self.patterns, sound=True)


def _union(patterns: list[str], sound: bool) -> re.Pattern:
    return re.compile("|".join(f"(?:{fold_pattern(p) if sound else p})" for p in patterns))


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    rules: list[ContentRule]
    conversation_rules: list[ConversationRule] = []
    model_vetoes: list[ModelVeto] = []

    def fired(self, texts: list[str], folded: list[str],
              contexts: list[str]) -> dict[int, list[RuleHit]]:
        """For each utterance that some rule fires on, its hits (``folded``: the same texts
        folded by sound, position for position). Each rule runs over the whole batch at once
        (Polars' regular expressions, in Rust); only the few utterances that fire are searched
        again here for the matched span."""
        written = pl.Series(texts, dtype=pl.String)
        sounded = pl.Series(folded, dtype=pl.String)
        context = pl.Series(contexts, dtype=pl.String)
        found: dict[int, list[RuleHit]] = {}
        for rule in self.rules:
            column = sounded if rule.sound else written
            mask = context.is_in(LABEL_CONTEXTS[rule.label]) & column.str.contains(
                rule.matcher.pattern)
            if rule.guard is not None:
                mask &= ~column.str.contains(rule.guard.pattern)
            for i in mask.arg_true().to_list():
                match = rule.matcher.search((folded if rule.sound else texts)[i])
                found.setdefault(i, []).append(RuleHit(rule, match.start(), match.end()))
        return found

    def vetoed(self, label: str, folded: str) -> bool:
        """Whether the model may not give ``label`` to this (sound-folded) utterance."""
        return any(v.label == label and v.matcher.search(folded) for v in self.model_vetoes)

    def severity(self, label: str) -> str:
        """The highest severity any rule gives ``label``."""
        return self._severities.get(label, "high")

    @cached_property
    def _severities(self) -> dict[str, str]:
        highest: dict[str, str] = {}
        for rule in [*self.rules, *self.conversation_rules]:
            if SEVERITY_RANK[rule.severity] > SEVERITY_RANK.get(highest.get(rule.label), -1):
                highest[rule.label] = rule.severity
        return highest


def default_rules_path() -> Path:
    return Path(str(resources.files("conversation_analytics").joinpath("rules/content.yaml")))


def load_rules(path: Path | None = None) -> RuleSet:
    return load_rules_file(path or default_rules_path(), RuleSet, RulesError)
