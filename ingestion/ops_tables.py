"""Ingestion's own tables in the warehouse: what was quarantined, and what each file gave.

``ops.quarantine`` (one row per broken record: feed, source file and line, reason, the payload
encrypted) and ``ops.ingested_files`` (one row per raw file: read, landed, quarantined,
duplicates) are rebuilt from the lake after every ingestion run.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.lake import Lake


def publish_ops_tables(lake: Lake, warehouse: Path) -> None:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with lake.store.configure(duckdb.connect(str(warehouse))) as con:
        con.execute("create schema if not exists ops")
        if lake.has_quarantine():
            con.execute(f"create or replace table ops.quarantine as "
                        f"select * from read_parquet('{lake.quarantine_glob()}') order by feed,"
                        f" source_file, source_line")
        else:
            con.execute("""create or replace table ops.quarantine (
                feed varchar, source_file varchar, source_line bigint, source_sha256 varchar,
                reason varchar, payload_encrypted varchar, contract_version varchar,
                batch_id varchar, quarantined_at timestamp)""")
        if lake.has_manifests():
            con.execute(f"""create or replace table ops.ingested_files as
                select regexp_extract(filename, '_manifest/([^/]+)/', 1) as feed, * exclude
                (filename) from read_parquet('{lake.manifest_glob()}', filename = true)
                order by feed, source_file""")
