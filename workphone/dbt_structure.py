"""Structure check of the dbt project, over its ``manifest.json``.

A small, dependency-free stand-in for the dbt-project-evaluator package (which cannot be
installed here), run in CI. Every rule is a pure function of the parsed manifest (a dict) and
returns :class:`Violation` s. Only enabled models of the root project are checked (models of
installed packages and disabled models are not ours to fix).

The rules, and why:

``direct_source_in_mart``
    A model outside ``models/staging/`` (a mart ``fct_``/``dim_``/``rpt_``, an intermediate
    model, anything else) with a ``source.`` node in ``depends_on.nodes``. Only staging
    models may read sources: staging is the one place raw columns are renamed, cast and
    cleaned, so every other layer builds on that cleaned vocabulary, and a change in a raw
    feed is absorbed in one model instead of many.

``missing_primary_key_test``
    A model with no tested primary key. A key is any of: one column with both a ``unique``
    and a ``not_null`` test; a ``unique_combination_of_columns`` test (dbt/tests/generic/);
    a ``primary_key`` constraint, on the model or on a column, of a model whose contract is
    enforced (dbt ignores constraints without an enforced contract). With contract
    enforced, column ``unique`` / ``not_null`` constraints also count as the two tests.
    Without a known grain, joins silently fan out and no test notices duplicated rows.

``undocumented_model``
    A model whose description is empty, or one of whose columns declared in yml has an
    empty description. The descriptions are persisted into the warehouse
    (``persist_docs``) and are what analysts read.

``view_chain_too_long``
    More than ``MAX_VIEW_CHAIN`` (5) models materialized as ``view`` depending on each
    other in a row: the longest path in the graph of view -> view dependencies. Ephemeral
    models and tables break the chain. Every query of the last view re-runs the whole
    chain, so long chains of views get slow and hard to debug. Reported once per chain end
    (a view whose view chain is too long and that feeds no further view).

Run ``python -m workphone.dbt_structure [--manifest PATH | --parse]``: prints one violation
a line and exits 1 if there are any, else prints ``ok: N models checked`` and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path, PurePosixPath
from typing import Any

Manifest = dict[str, Any]
Node = dict[str, Any]

DBT_DIR = Path(__file__).resolve().parent.parent / "dbt"
DEFAULT_MANIFEST = DBT_DIR / "target" / "manifest.json"
MAX_VIEW_CHAIN = 5


@dataclass(frozen=True, order=True)
class Violation:
    rule: str
    unique_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


def project_models(manifest: Manifest) -> dict[str, Node]:
    """The models of the root project, by unique_id (disabled ones are not in ``nodes``)."""
    project = manifest.get("metadata", {}).get("project_name")
    return {
        uid: node
        for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "model"
        and (project is None or node.get("package_name") == project)
    }


def _where(node: Node) -> str:
    return f"{node['name']} ({node.get('original_file_path', '?')})"


def _is_staging(node: Node) -> bool:
    # ``path`` is relative to the model path: staging/lake/stg_lake__calls.sql.
    parts = PurePosixPath(str(node.get("path", "")).replace("\\", "/")).parts
    return bool(parts) and parts[0] == "staging"


def check_direct_sources(manifest: Manifest) -> list[Violation]:
    sources = manifest.get("sources", {})
    found = []
    for uid, node in project_models(manifest).items():
        read = [d for d in node.get("depends_on", {}).get("nodes", []) if d.startswith("source.")]
        if not read or _is_staging(node):
            continue
        names = ", ".join(
            f"{sources[d]['source_name']}.{sources[d]['name']}" if d in sources else d
            for d in read
        )
        found.append(Violation(
            "direct_source_in_mart", uid,
            f"{_where(node)} reads source(s) {names} directly; only models/staging/ may read "
            "sources: ref() the staging model of each source (add one if missing)",
        ))
    return found


def _normal(column: str) -> str:
    return column.strip().strip('"`').lower()


def _tested_keys(manifest: Manifest) -> dict[str, tuple[set[str], set[str], bool]]:
    """model unique_id -> (unique columns, not_null columns, has a multi-column key test)."""
    keys: dict[str, tuple[set[str], set[str], bool]] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "test" or not node.get("test_metadata"):
            continue
        target = node.get("attached_node")
        if not target:
            parents = [d for d in node.get("depends_on", {}).get("nodes", [])
                       if d.startswith("model.")]
            target = parents[0] if len(parents) == 1 else None
        if not target:
            continue
        unique, not_null, combination = keys.get(target, (set(), set(), False))
        meta = node["test_metadata"]
        column = meta.get("kwargs", {}).get("column_name") or node.get("column_name")
        if meta.get("name") == "unique" and column:
            unique.add(_normal(column))
        elif meta.get("name") == "not_null" and column:
            not_null.add(_normal(column))
        elif meta.get("name") == "unique_combination_of_columns":
            combination = True
        keys[target] = (unique, not_null, combination)
    return keys


def _has_primary_key(node: Node, tested: tuple[set[str], set[str], bool]) -> bool:
    unique, not_null, combination = set(tested[0]), set(tested[1]), tested[2]
    if node.get("config", {}).get("contract", {}).get("enforced"):
        if any(c.get("type") == "primary_key" for c in node.get("constraints", [])):
            return True
        for name, column in node.get("columns", {}).items():
            types = {c.get("type") for c in column.get("constraints", [])}
            if "primary_key" in types:
                return True
            if "unique" in types:
                unique.add(_normal(name))
            if "not_null" in types:
                not_null.add(_normal(name))
    return combination or bool(unique & not_null)


def check_primary_keys(manifest: Manifest) -> list[Violation]:
    tested = _tested_keys(manifest)
    return [
        Violation(
            "missing_primary_key_test", uid,
            f"{_where(node)} has no primary-key test: add unique and not_null tests to its key "
            "column, or a unique_combination_of_columns test for a multi-column key",
        )
        for uid, node in project_models(manifest).items()
        if not _has_primary_key(node, tested.get(uid, (set(), set(), False)))
    ]


def check_documentation(manifest: Manifest) -> list[Violation]:
    found = []
    for uid, node in project_models(manifest).items():
        missing = []
        if not (node.get("description") or "").strip():
            missing.append("the model")
        columns = [name for name, column in node.get("columns", {}).items()
                   if not (column.get("description") or "").strip()]
        if columns:
            missing.append("column(s) " + ", ".join(columns))
        if missing:
            found.append(Violation(
                "undocumented_model", uid,
                f"{_where(node)}: no description for {' and '.join(missing)}; "
                "add the description(s) to the model's yml",
            ))
    return found


def check_view_chains(manifest: Manifest, max_chain: int = MAX_VIEW_CHAIN) -> list[Violation]:
    models = project_models(manifest)
    views = {uid for uid, node in models.items()
             if node.get("config", {}).get("materialized") == "view"}
    parents = {uid: [d for d in models[uid].get("depends_on", {}).get("nodes", []) if d in views]
               for uid in views}
    # chain[v]: the longest chain of views ending at v, v included.
    chain: dict[str, list[str]] = {}
    for uid in TopologicalSorter(parents).static_order():
        longest = max((chain[p] for p in parents[uid]), key=len, default=[])
        chain[uid] = [*longest, uid]
    feeds_a_view = {p for ps in parents.values() for p in ps}
    return [
        Violation(
            "view_chain_too_long", uid,
            f"{_where(models[uid])} ends a chain of {len(path)} views (more than {max_chain}): "
            + " -> ".join(models[p]["name"] for p in path)
            + "; materialize a model in the middle as a table, or merge steps",
        )
        for uid, path in chain.items()
        if len(path) > max_chain and uid not in feeds_a_view
    ]


RULES: tuple[Callable[[Manifest], list[Violation]], ...] = (
    check_direct_sources, check_primary_keys, check_documentation, check_view_chains,
)


def check_manifest(manifest: Manifest) -> list[Violation]:
    """Every violation of every rule, sorted by rule and node."""
    return sorted(v for rule in RULES for v in rule(manifest))


def parse_project(target_dir: Path, dbt_dir: Path = DBT_DIR) -> Manifest:
    """Run ``dbt parse`` of the project into ``target_dir`` and load its manifest.

    Parsing reads no data, so WORKPHONE_HOME / WORKPHONE_LAKE default to a throwaway folder.
    Logs go to ``target_dir`` too, so nothing under dbt/ (target/, logs/) is touched.
    """
    target_dir = Path(target_dir).resolve()
    dbt = Path(sys.executable).parent / "dbt"
    with tempfile.TemporaryDirectory(prefix="workphone-parse-") as scratch:
        env = dict(os.environ)
        env.setdefault("WORKPHONE_HOME", scratch)
        env.setdefault("WORKPHONE_LAKE", str(Path(scratch) / "lake"))
        result = subprocess.run(
            [str(dbt), "parse", "--profiles-dir", str(dbt_dir), "--project-dir", str(dbt_dir),
             "--target-path", str(target_dir), "--log-path", str(target_dir / "logs"),
             "--no-send-anonymous-usage-stats"],
            cwd=dbt_dir, env=env, capture_output=True, text=True, check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed ({result.returncode}):\n"
                           f"{result.stdout[-4000:]}{result.stderr[-4000:]}")
    return json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workphone.dbt_structure",
                                     description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST,
                        help=f"manifest.json to check (default: {DEFAULT_MANIFEST})")
    source.add_argument("--parse", action="store_true",
                        help="run dbt parse into a temporary folder and check that manifest")
    args = parser.parse_args(None if argv is None else list(argv))
    if args.parse:
        with tempfile.TemporaryDirectory(prefix="workphone-structure-") as target:
            manifest = parse_project(Path(target))
    else:
        manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    violations = check_manifest(manifest)
    for violation in violations:
        print(violation)
    if violations:
        return 1
    print(f"ok: {len(project_models(manifest))} models checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
