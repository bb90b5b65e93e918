"""When a daily run trains a model again: only once its latest registered version is as old as
WORKPHONE_MODEL_MAX_AGE_DAYS, or when there is none."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from models_ml import registry
from workphone.settings import Settings


def _backdate(artifact: registry.Artifact, days: float) -> None:
    meta = dict(artifact.meta)
    meta["created_at"] = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    (artifact.path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def test_a_model_is_trained_when_missing_or_older_than_the_maximum_age(tmp_path):
    assert registry.needs_training(tmp_path, "credit", max_age_days=7)
    artifact = registry.save(tmp_path, "credit", {"model.txt": "tree"}, {}, {}, "f" * 64)
    assert not registry.needs_training(tmp_path, "credit", max_age_days=7)
    assert registry.needs_training(tmp_path, "credit", max_age_days=0)
    _backdate(artifact, days=6.9)
    assert not registry.needs_training(tmp_path, "credit", max_age_days=7)
    _backdate(artifact, days=7.1)
    assert registry.needs_training(tmp_path, "credit", max_age_days=7)
    newer = registry.save(tmp_path, "credit", {"model.txt": "tree"}, {}, {}, "e" * 64)
    assert registry.versions(tmp_path, "credit")[-1].version == newer.version
    assert not registry.needs_training(tmp_path, "credit", max_age_days=7)
    assert registry.needs_training(tmp_path, "call_time", max_age_days=7)  # per model


def test_the_maximum_age_is_a_setting():
    home = {"WORKPHONE_HOME": "/tmp/workphone"}
    assert Settings.from_env(home).model_max_age_days == 7
    assert Settings.from_env({**home, "WORKPHONE_MODEL_MAX_AGE_DAYS": "1.5"}) \
        .model_max_age_days == 1.5
