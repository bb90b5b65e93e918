"""How the dbt project's nodes become Dagster assets.

Each dbt source is the lake folder an upstream asset writes, so it maps to that asset's key:
the lineage runs ingestion → transcripts → findings and features → the dbt models. Models are
keyed ``<schema>/<model>`` (``staging/stg_lake__calls``, ``marts/...``), the relation they build,
and grouped by that schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings
from dagster_dbt.dbt_project import DbtProject

from dagster_project.defs.conversation.assets import FEATURES, FINDINGS
from dagster_project.defs.ingestion.assets import CONTRACTS, lake_key
from dagster_project.defs.speech.assets import TRANSCRIPTS

# ops.quarantine is written by ingest_raw_feeds for every feed: it stands for all of them.
QUARANTINE = dg.AssetKey(["lake", "quarantine"])
FEED_KEYS = tuple(lake_key(feed) for feed in CONTRACTS)

SOURCE_PRODUCERS: dict[tuple[str, str], dg.AssetKey] = {
    **{("lake", feed): lake_key(feed) for feed in CONTRACTS},
    ("speech", "transcripts"): TRANSCRIPTS,
    ("speech", "transcriptions"): TRANSCRIPTS,
    ("conversation", "compliance_findings"): FINDINGS,
    ("conversation", "compliance_finding_events"): FINDINGS,
    ("conversation", "compliance_alerts"): FINDINGS,
    ("conversation", "conversation_features"): FEATURES,
    ("conversation", "promises_to_pay"): FEATURES,
    ("ops", "quarantine"): QUARANTINE,
}


def upstream_keys(key: dg.AssetKey) -> tuple[dg.AssetKey, ...]:
    """The asset keys a source key stands for (the quarantine stands for every feed)."""
    return FEED_KEYS if key == QUARANTINE else (key,)


class WorkphoneDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        # Several sources are written by one asset (transcripts and transcriptions, say).
        super().__init__(DagsterDbtTranslatorSettings(
            enable_asset_checks=True, enable_duplicate_source_asset_keys=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            producer = SOURCE_PRODUCERS.get(
                (dbt_resource_props["source_name"], dbt_resource_props["name"]))
            return producer or super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("schema") or super().get_group_name(dbt_resource_props)

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str,
                       project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if not any(dep.asset_key == QUARANTINE for dep in spec.deps):
            return spec
        deps = [dep for dep in spec.deps if dep.asset_key != QUARANTINE]
        known = {dep.asset_key for dep in deps}
        deps += [dg.AssetDep(key) for key in FEED_KEYS if key not in known]
        return spec.replace_attributes(deps=deps)
