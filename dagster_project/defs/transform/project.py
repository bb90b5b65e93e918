"""The dbt project and its manifest.

Dagster builds the dbt assets from ``manifest.json``, which ``dbt parse`` writes. It is prepared
when the Definitions load: parsed into ``dbt/target/dagster/`` when it is missing (a fresh
checkout, CI) or older than any file of the project, and always under ``dagster dev``. Parsing
reads neither the lake nor the warehouse. When a parse fails (a model being written) and an
older manifest exists, that one is used with a warning; with none, loading fails with dbt's
error.
"""

from __future__ import annotations

import shutil
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from filelock import FileLock

DBT_DIR = Path(__file__).resolve().parents[3] / "dbt"
MANIFEST_TARGET = Path("target") / "dagster"
PROJECT_FOLDERS = ("models", "macros", "tests", "seeds", "snapshots", "analyses")


def dbt_executable() -> str:
    """The ``dbt`` beside the running interpreter (the venv's), else whatever ``PATH`` has."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def _project_files(project: DbtProject) -> Iterator[Path]:
    yield project.project_dir / "dbt_project.yml"
    for folder in PROJECT_FOLDERS:
        root = project.project_dir / folder
        if root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file())


def manifest_is_stale(project: DbtProject) -> bool:
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    return any(p.stat().st_mtime > built for p in _project_files(project))


def _parse(project: DbtProject) -> None:
    """``dbt parse`` into the manifest's folder, one process at a time (the others wait, then
    use what it wrote)."""
    manifest = project.manifest_path
    manifest.parent.mkdir(parents=True, exist_ok=True)
    before = manifest.stat().st_mtime if manifest.exists() else 0.0
    with FileLock(manifest.with_suffix(".lock")).acquire(timeout=120):
        if manifest.exists() and manifest.stat().st_mtime > before:
            return
        (DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
         .cli(["parse", "--quiet"], target_path=project.target_path)
         .wait())


def prepare_manifest(project: DbtProject) -> Path:
    """Parse the project when its manifest is missing or stale; return the manifest's path."""
    if using_dagster_dev() or manifest_is_stale(project):
        try:
            _parse(project)
        except DagsterDbtCliRuntimeError as error:
            if not project.manifest_path.exists():
                raise
            warnings.warn(f"dbt parse failed, using the previous manifest "
                          f"{project.manifest_path}: {error}", stacklevel=2)
    return project.manifest_path


dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR, target_path=MANIFEST_TARGET)
prepare_manifest(dbt_project)
