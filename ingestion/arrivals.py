"""Which delivery days have raw files that the lake has not ingested yet."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from ingestion import raw_files
from ingestion.contracts.model import load_contracts
from ingestion.lake import Lake


def pending_days(raw: Path, lake: Lake) -> dict[str, str]:
    """Delivery day -> a fingerprint of its not-yet-ingested file names (empty when none)."""
    pending: dict[str, list[str]] = {}
    with lake.store.configure(duckdb.connect()) as con:
        for contract in load_contracts().values():
            known = lake.ingested_files(con, contract.feed)
            for path in raw_files.discover(raw, contract):
                relative = path.relative_to(raw).as_posix()
                if relative not in known:
                    pending.setdefault(raw_files.delivery_day(path, contract), []).append(
                        relative)
    return {day: hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()[:16]
            for day, names in sorted(pending.items())}
