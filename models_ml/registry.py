"""A small model registry: one versioned folder per trained artifact.

Layout under ``models_dir``::

    <model>/<version>/            version = <created_at UTC, YYYYMMDDTHHMMSSffffffZ>-<fp[:8]>
        meta.json                 name, version, created_at, training-data fingerprint, files
        params.json               what the model was trained with
        metrics.json              how it did
        <model files>             whatever the model writes (boosters, calibration, ...)

A version is written under a hidden ``.tmp-*`` folder and renamed into place in one step, so
``latest`` never sees half an artifact. Versions sort by creation time.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl


@dataclass(frozen=True)
class Artifact:
    name: str
    version: str
    path: Path
    meta: dict[str, Any]

    @property
    def params(self) -> dict[str, Any]:
        return _read_json(self.path / "params.json")

    @property
    def metrics(self) -> dict[str, Any]:
        return _read_json(self.path / "metrics.json")


def fingerprint_frame(frame: pl.DataFrame) -> str:
    """sha256 of a frame's content: columns in name order, rows as given, written as CSV (a
    text form that does not depend on the Parquet/Arrow writer version)."""
    buffer = io.BytesIO()
    frame.select(sorted(frame.columns)).write_csv(buffer)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def save(models_dir: Path, name: str, files: dict[str, bytes | str], params: dict[str, Any],
         metrics: dict[str, Any], fingerprint: str) -> Artifact:
    """Write a new version of ``name`` with its files, params, metrics and fingerprint."""
    root = Path(models_dir) / name
    root.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC)
    version = f"{created:%Y%m%dT%H%M%S%fZ}-{fingerprint[:8]}"
    staging = root / f".tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        for file, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (staging / file).write_bytes(data)
        meta = {"name": name, "version": version, "created_at": created.isoformat(),
                "training_data_sha256": fingerprint, "files": sorted(files)}
        for file, content in (("meta.json", meta), ("params.json", params),
                              ("metrics.json", metrics)):
            (staging / file).write_text(json.dumps(content, indent=2, default=str) + "\n",
                                        encoding="utf-8")
        os.rename(staging, root / version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Artifact(name, version, root / version, meta)


def versions(models_dir: Path, name: str) -> list[Artifact]:
    """Every complete version of ``name``, oldest first."""
    root = Path(models_dir) / name
    if not root.exists():
        return []
    found = [p for p in root.iterdir()
             if p.is_dir() and not p.name.startswith(".") and (p / "meta.json").exists()]
    return [Artifact(name, p.name, p, _read_json(p / "meta.json"))
            for p in sorted(found, key=lambda p: p.name)]


def needs_training(models_dir: Path, name: str, max_age_days: float) -> bool:
    """True when ``name`` has no version younger than ``max_age_days``: a daily run scores
    with the latest version and trains a new one only once that is this old (or missing)."""
    found = versions(models_dir, name)
    if not found:
        return True
    created = datetime.fromisoformat(found[-1].meta["created_at"])
    return datetime.now(UTC) - created >= timedelta(days=max_age_days)


def load(models_dir: Path, name: str, version: str | None = None) -> Artifact:
    """One version of ``name`` (the latest when ``version`` is None)."""
    known = versions(models_dir, name)
    if not known:
        raise FileNotFoundError(f"no version of model {name!r} under {models_dir}")
    if version is None:
        return known[-1]
    for artifact in known:
        if artifact.version == version:
            return artifact
    raise FileNotFoundError(f"model {name!r} has no version {version!r}")


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
