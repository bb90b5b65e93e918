"""Speech: every recorded call of the lake transcribed into speaker-attributed utterances.

Partitioned like the call feed: partition D transcribes the recordings of ``lake/calls/dt=D``
that the current model version has not transcribed yet (a rerun does nothing twice; a new
model version makes them due again). A recording that cannot be transcribed gets its status
and reason in ``lake/transcriptions``; the run carries on.
"""

import dagster as dg

from dagster_project.defs.ingestion.assets import lake_key
from dagster_project.defs.ingestion.partitions import delivery_days
from dagster_project.resources import WorkphoneSettings
from speech_analytics.batch import transcribe_pending

TRANSCRIPTS = dg.AssetKey(["lake", "transcripts"])


@dg.asset(
    key=TRANSCRIPTS,
    deps=[lake_key("calls")],
    group_name="speech",
    partitions_def=delivery_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"parquet", "duckdb"},
    description="Utterances (speaker, start, end, text, confidence, model) of every recorded "
                "call, plus one status row per recording (lake/transcriptions).",
)
def transcripts(context: dg.AssetExecutionContext,
                workphone: WorkphoneSettings) -> dg.MaterializeResult:
    settings = workphone.settings()
    days = delivery_days.get_partition_keys_in_range(context.partition_key_range)
    reports = transcribe_pending(settings, days=days, progress=context.log.info)
    statuses: dict[str, int] = {}
    for report in reports:
        for status, count in report.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    audio = sum(r.audio_s for r in reports)
    spent = sum(r.processing_s for r in reports)
    return dg.MaterializeResult(metadata={
        "recordings_due": sum(r.due for r in reports),
        **{f"status/{status}": count for status, count in sorted(statuses.items())},
        "audio_s": round(audio, 1),
        "real_time_factor": round(spent / audio, 3) if audio else 0.0,
    })
