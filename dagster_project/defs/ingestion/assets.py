"""The lake: one asset per raw feed (``lake/<feed>``), ingested by delivery day.

One multi-asset ingests any subset of feeds for a day or a range of days in a single run
(backfills run as one run). Each feed carries two checks: the counts of every file add up
(read = landed + quarantined + duplicates), and the Great Expectations suite built from the
feed's contract passes on the rows that landed.
"""

from collections.abc import Iterator

import dagster as dg
import polars as pl

from dagster_project.defs.ingestion.partitions import delivery_days
from dagster_project.resources import WorkphoneSettings
from ingestion.contracts.expectations import validate
from ingestion.contracts.model import load_contracts
from ingestion.ingest import FeedCounts, ingest
from ingestion.lake import Lake

CONTRACTS = load_contracts()
COUNTS_CHECK = "counts_conserved"
SUITE_CHECK = "contract_expectations"


def lake_key(feed: str) -> dg.AssetKey:
    return dg.AssetKey(["lake", feed])


@dg.multi_asset(
    name="ingest_raw_feeds",
    specs=[
        dg.AssetSpec(
            lake_key(feed),
            group_name="lake",
            description=contract.description,
            kinds={"parquet", "duckdb"},
            tags={"feed_kind": contract.kind},
            metadata={"contract": f"data_contracts/{feed}.yaml",
                      "contract_version": contract.version,
                      "primary_key": ", ".join(contract.primary_key)},
        )
        for feed, contract in CONTRACTS.items()
    ],
    check_specs=[
        spec
        for feed in CONTRACTS
        for spec in (
            dg.AssetCheckSpec(COUNTS_CHECK, asset=lake_key(feed),
                              description="read = landed + quarantined + duplicates"),
            dg.AssetCheckSpec(SUITE_CHECK, asset=lake_key(feed),
                              description="Great Expectations suite built from the contract"),
        )
    ],
    partitions_def=delivery_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=True,
)
def ingest_raw_feeds(context: dg.AssetExecutionContext,
                     workphone: WorkphoneSettings) -> Iterator[dg.MaterializeResult |
                                                             dg.AssetCheckResult]:
    settings = workphone.settings()
    feeds = [key.path[-1] for key in context.selected_asset_keys]
    window = context.partition_key_range
    report = ingest(settings, feeds=feeds, days=(window.start, window.end),
                    progress=context.log.info)
    selected_checks = context.selected_asset_check_keys
    for feed in feeds:
        counts = report.feeds[feed]
        yield dg.MaterializeResult(asset_key=lake_key(feed), metadata=_metadata(counts))
        if dg.AssetCheckKey(lake_key(feed), COUNTS_CHECK) in selected_checks:
            yield dg.AssetCheckResult(
                asset_key=lake_key(feed), check_name=COUNTS_CHECK, passed=counts.conserved,
                metadata=_metadata(counts))
        if dg.AssetCheckKey(lake_key(feed), SUITE_CHECK) in selected_checks:
            yield _suite_check(settings, feed, counts)


def _metadata(counts: FeedCounts) -> dict:
    return {"read": counts.read, "landed": counts.landed, "quarantined": counts.quarantined,
            "duplicates": counts.duplicates, "files": counts.files}


def _suite_check(settings, feed: str, counts: FeedCounts) -> dg.AssetCheckResult:
    if not counts.batches:
        return dg.AssetCheckResult(asset_key=lake_key(feed), check_name=SUITE_CHECK,
                                   passed=True, metadata={"rows": 0, "note": "nothing landed"})
    landed = (
        pl.scan_parquet(Lake(settings.lake_store).files_glob(feed), hive_partitioning=True,
                        storage_options=settings.lake_store.polars_options())
        .filter(pl.col("_batch_id").is_in(counts.batches))
        .collect()
    )
    result = validate(CONTRACTS[feed], landed)
    return dg.AssetCheckResult(
        asset_key=lake_key(feed), check_name=SUITE_CHECK, passed=result.success,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows": result.rows, "expectations": result.evaluated,
                  "failed": ", ".join(result.failed) or "none"})
