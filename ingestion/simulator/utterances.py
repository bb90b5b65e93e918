"""The utterance library: compliant and violating lines written by the team, with paraphrases.

Each YAML file under ``utterances/`` holds groups of lines (one speaker, one or two contexts,
the violation labels the group carries). Conversations are assembled from these groups, so the
planted labels of every line are known.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

LIBRARY_DIR = Path(__file__).parent / "utterances"


@dataclass(frozen=True)
class Group:
    key: str
    speaker: str
    contexts: tuple[str, ...]
    labels: tuple[str, ...]
    utterances: tuple[str, ...]


@cache
def library(directory: Path = LIBRARY_DIR) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, spec in (data.get("groups") or {}).items():
            if key in groups:
                raise ValueError(f"{path.name}: group {key!r} is defined twice in the library")
            lines = tuple(str(u).strip() for u in spec.get("utterances") or [])
            if not lines:
                raise ValueError(f"{path.name}: group {key!r} has no utterances")
            groups[key] = Group(
                key=key,
                speaker=spec["speaker"],
                contexts=tuple(spec["context"]),
                labels=tuple(spec.get("labels") or ()),
                utterances=lines,
            )
    return groups


def negatives_for(context: str) -> list[str]:
    """Keys of the hard-negative groups usable in a context."""
    return sorted(
        k for k, g in library().items() if k.endswith("_negative") and context in g.contexts
    )
