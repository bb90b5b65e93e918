"""Reading a rules file: YAML validated by a Pydantic model, with errors that name the rule and
the key at fault (``rule CONTENT-RC-001: key label: unknown label 'x'``)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def load_rules_file(path: Path, model: type[Model], error: type[ValueError]) -> Model:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as problem:
        raise error(f"{path}: not valid YAML: {problem}") from problem
    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        problems = "; ".join(describe(issue, data) for issue in invalid.errors())
        raise error(f"{path}: {problems}") from invalid


def describe(issue: dict, data: object) -> str:
    """One validation issue, located by rule id where it is inside a list of rules."""
    where = list(issue["loc"])
    if len(where) < 2 or not isinstance(where[1], int) or not isinstance(data, dict):
        return f"key {'.'.join(map(str, where)) or '(top level)'}: {issue['msg']}"
    rules = data.get(where[0])
    raw = rules[where[1]] if isinstance(rules, list) and where[1] < len(rules) else None
    rule_id = raw.get("id") if isinstance(raw, dict) else None
    key = where[2:]
    if key and isinstance(raw, dict) and key[0] == raw.get("name"):  # a tagged union's tag
        key = key[1:]
    return (f"rule {rule_id or f'#{where[1]}'}: key {'.'.join(map(str, key)) or 'name'}: "
            f"{issue['msg']}")
