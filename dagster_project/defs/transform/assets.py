"""Every model of the dbt project as an asset, every dbt test as an asset check.

One ``dbt build`` runs the selected models and their tests in dependency order, on the engine of
the ``WorkphoneSettings`` resource (after a build on Spark, ``warehouse.duckdb`` gets a view over
each of its tables, so every reader of the marts works on either engine). A failing test
fails its check (tests of severity ``error`` are blocking) and the step; dbt skips the models
downstream of a failed model or test.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets

from dagster_project.defs.transform.project import dbt_project
from dagster_project.defs.transform.resources import dbt_environment, dbt_target_path
from dagster_project.defs.transform.translator import WorkphoneDbtTranslator
from dagster_project.resources import WorkphoneSettings
from speech_analytics.batch import start_speech_datasets
from workphone.spark_warehouse import register_spark_tables


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WorkphoneDbtTranslator(),
    name="warehouse_dbt",
)
def warehouse_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                  workphone: WorkphoneSettings) -> Iterator[Any]:
    settings = workphone.settings()
    start_speech_datasets(settings)  # a world without transcripts yet still has the sources
    with dbt_environment(settings, subset=context.is_subset):
        invocation = dbt.cli(["build"], context=context,
                             target_path=dbt_target_path(settings))
    yield from _asset_events(invocation, context)
    if settings.engine != "spark":
        return
    if not settings.spark_warehouse_dir.is_dir():  # a cluster's warehouse, not this machine's
        context.log.warning(f"no Spark warehouse at {settings.spark_warehouse_dir}: the marts "
                            f"stay in the cluster's, {settings.warehouse_path} has no view of them")
        return
    views = register_spark_tables(settings.spark_warehouse_dir, settings.warehouse_path)
    context.log.info(f"{len(views)} Spark tables readable from {settings.warehouse_path}")


def _asset_events(invocation: DbtCliInvocation,
                  context: dg.AssetExecutionContext) -> Iterator[Any]:
    """The Dagster events of the invocation's dbt events. dbt parses the project again when it
    runs: a test added since the definitions loaded runs (dbt selects the tests of the selected
    models) but has no check, so it is logged, not turned into an event."""
    for event in invocation.stream_raw_events():
        try:
            yield from event.to_default_asset_events(
                manifest=invocation.manifest,
                dagster_dbt_translator=invocation.dagster_dbt_translator,
                context=context, target_path=invocation.target_path,
                project=invocation.project)
        except KeyError as unknown:
            context.log.warning(f"dbt ran {unknown}, which the loaded manifest does not have "
                                f"(the project changed since the definitions loaded; reload "
                                f"them): {event.raw_event['info']['msg']}")
