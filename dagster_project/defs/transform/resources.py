"""The dbt CLI resource, and the environment a dbt invocation runs in.

``dbt/profiles.yml`` puts the warehouse at ``$WORKPHONE_HOME/warehouse.duckdb`` (or, on Spark, under
``$WORKPHONE_HOME/spark``), the sources read the lake at ``$WORKPHONE_LAKE`` and the target is the
engine (``$WORKPHONE_DBT_TARGET``: duckdb or spark); all come from the ``WorkphoneSettings``
resource of the run, set for the dbt process only while it is started. dbt's artifacts of a run
(``run_results.json``, ``manifest.json``, ``dbt.log``) go to ``$WORKPHONE_HOME/dbt/target``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster_dbt import DbtCliResource

from dagster_project.defs.transform.project import DBT_DIR, dbt_executable, dbt_project
from workphone.settings import Settings


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_DIR),
                          dbt_executable=dbt_executable())


def dbt_target_path(settings: Settings) -> Path:
    return settings.dbt_target_dir


def dbt_env(settings: Settings, subset: bool = False) -> dict[str, str]:
    """What a dbt invocation needs in its environment. ``subset``: only some models are
    selected, so only the tests whose every parent is selected run (dbt's default, ``eager``,
    would also run the tests of unselected models that point at a selected one, over
    relations that may not exist yet)."""
    env = {"WORKPHONE_HOME": str(settings.home), "WORKPHONE_LAKE": settings.lake_uri,
           "WORKPHONE_DBT_TARGET": settings.engine}
    if subset:
        env["DBT_INDIRECT_SELECTION"] = "cautious"
    return env


@contextmanager
def dbt_environment(settings: Settings, subset: bool = False) -> Iterator[None]:
    """``dbt_env`` in ``os.environ`` (which the dbt resource reads and hands to the process
    it starts), restored afterwards."""
    values = dbt_env(settings, subset)
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
