"""Ingest raw captures into the Parquet lake: contracts enforced, personal data protected,
lineage kept, nothing lost and nothing twice.

For every feed: files not yet ingested are fingerprinted; a file whose bytes were already
ingested (a redelivery) is skipped whole and its records counted as duplicates. New files are
read in batches into DuckDB, checked against the feed's contract, de-duplicated on the contract's
primary key (within the batch and against the lake), then published: landed records to
``lake/<feed>/dt=…``, broken ones to ``lake/quarantine`` with their reason, source file and
line and the payload encrypted. Per feed and file: read = landed + quarantined + duplicates.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion import raw_files
from ingestion.contracts.model import Contract, load_contracts
from ingestion.enforce import enforce_sql, quote
from ingestion.lake import Lake
from ingestion.ops_tables import publish_ops_tables
from ingestion.pii import PiiKey, mask_sql, normalise_sql, redact_sql
from workphone.settings import Settings

BATCH_FILES = 3000
PERSON_PII = {"phone", "name", "id_number", "bank_card", "chat_id"}


@dataclass
class FeedCounts:
    read: int = 0
    landed: int = 0
    quarantined: int = 0
    duplicates: int = 0
    files: int = 0
    batches: list[str] = field(default_factory=list)

    def add(self, other: FeedCounts) -> None:
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)

    @property
    def conserved(self) -> bool:
        return self.read == self.landed + self.quarantined + self.duplicates


@dataclass
class IngestReport:
    feeds: dict[str, FeedCounts] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {feed: {k: v for k, v in asdict(c).items() if k not in ("files", "batches")}
                for feed, c in self.feeds.items()}


def ingest(settings: Settings, raw: Path | None = None, feeds: Iterable[str] | None = None,
           progress: Callable[[str], None] | None = None,
           days: tuple[str, str] | None = None) -> IngestReport:
    """Ingest every raw file not yet ingested (optionally only those delivered in ``days``,
    inclusive ``YYYY-MM-DD`` bounds)."""
    began = time.perf_counter()
    raw = (raw or settings.raw_dir).resolve()
    say = progress or (lambda message: None)
    contracts = load_contracts()
    wanted = list(feeds) if feeds else list(contracts)
    unknown = sorted(set(wanted) - set(contracts))
    if unknown:
        raise ValueError(f"no contract for feed(s) {unknown}; contracts exist for "
                         f"{sorted(contracts)} in data_contracts/")
    lake = Lake(settings.lake_dir)
    lake.clear_staging()
    key = PiiKey.from_settings(settings)
    report = IngestReport()
    con = duckdb.connect()
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    for feed in wanted:
        ingestor = FeedIngestor(con, lake, raw, contracts[feed], key, settings, run_id)
        report.feeds[feed] = ingestor.run(say, days)
    con.close()
    publish_ops_tables(lake, settings.warehouse_path)
    report.seconds = time.perf_counter() - began
    return report


class FeedIngestor:
    def __init__(self, con, lake: Lake, raw: Path, contract: Contract, key: PiiKey,
                 settings: Settings, run_id: str) -> None:
        self.con, self.lake, self.raw, self.contract = con, lake, raw, contract
        self.key, self.settings, self.run_id = key, settings, run_id

    def run(self, say: Callable[[str], None], days: tuple[str, str] | None) -> FeedCounts:
        feed = self.contract.feed
        known = self.lake.ingested_files(self.con, feed)
        seen_hashes = set(known.values())
        fresh: list[raw_files.RawFile] = []
        redelivered: list[raw_files.RawFile] = []
        for path in raw_files.discover(self.raw, self.contract, days):
            relative = path.relative_to(self.raw).as_posix()
            if relative in known:
                continue
            raw_file = raw_files.fingerprint(self.raw, path)
            (redelivered if raw_file.sha256 in seen_hashes else fresh).append(raw_file)
            seen_hashes.add(raw_file.sha256)
        counts = FeedCounts()
        batches = [fresh[i:i + BATCH_FILES] for i in range(0, len(fresh), BATCH_FILES)]
        for number, batch in enumerate(batches, start=1):
            say(f"ingest {feed}: batch {number}/{len(batches)} ({len(batch)} files)")
            counts.add(self._ingest_batch(batch, f"{self.run_id}-{number:04d}"))
        if redelivered:  # recorded only once the originals they repeat are in the lake
            counts.add(self._skip_redelivered(redelivered))
        if fresh or redelivered:
            say(f"ingest {feed}: read {counts.read}, landed {counts.landed}, quarantined "
                f"{counts.quarantined}, duplicates {counts.duplicates}")
        return counts

    # -- a redelivered file: same bytes as one already ingested ------------------------------
    def _skip_redelivered(self, files: list[raw_files.RawFile]) -> FeedCounts:
        rows = []
        for f in files:
            records = _record_count(f, self.contract)
            rows.append(_manifest_row(f, "redelivered", "", records, 0, 0, records,
                                      self.run_id))
        self._write_manifest(rows, f"{self.run_id}-redelivered")
        total = sum(r["read"] for r in rows)
        return FeedCounts(read=total, duplicates=total, files=len(files))

    # -- a batch of new files -----------------------------------------------------------------
    def _ingest_batch(self, files: list[raw_files.RawFile], batch_id: str) -> FeedCounts:
        con, contract = self.con, self.contract
        staging = self.lake.staging(batch_id)
        staging.mkdir(parents=True, exist_ok=True)
        if contract.kind == "device":
            raw_files.load_jsonl(con, self.raw, files, contract, staging / "utf8")
            encodings = {f.relative: "utf-8" for f in files}
        else:
            encodings = raw_files.load_csv(con, files, contract)
        con.execute(f"create or replace temp table checked as {enforce_sql(contract)}")
        self._mark_duplicates()
        con.execute(f"""copy ({self._landed_sql(batch_id)}) to '{staging / "data"}'
                        (format parquet, compression zstd, partition_by (dt),
                         filename_pattern 'part-{batch_id}-{{i}}')""")
        quarantined = self._stage_quarantine(files, batch_id, staging)
        per_file = con.execute("""
            select _source_file, count(*) as read,
                   count(*) filter (where _status = 'landed') as landed,
                   count(*) filter (where _status = 'quarantined') as quarantined,
                   count(*) filter (where _status = 'duplicate') as duplicates
            from checked group by _source_file""").fetchall()
        counted = {r[0]: r[1:] for r in per_file}
        manifest = []
        for f in files:
            read, landed, quar, dup = counted.get(f.relative, (0, 0, 0, 0))
            manifest.append(_manifest_row(f, "ingested", encodings.get(f.relative, "utf-8"),
                                          read, landed, quar, dup, batch_id))
        self.lake.publish_tree(staging / "data", self.lake.feed_dir(contract.feed))
        if quarantined is not None:
            self.lake.publish_file(quarantined, Path(self.lake.quarantine_glob(
                contract.feed)).parent / f"part-{batch_id}.parquet")
        self._write_manifest(manifest, batch_id)
        return FeedCounts(read=sum(r["read"] for r in manifest),
                          landed=sum(r["landed"] for r in manifest),
                          quarantined=sum(r["quarantined"] for r in manifest),
                          duplicates=sum(r["duplicates"] for r in manifest), files=len(files),
                          batches=[batch_id])

    def _mark_duplicates(self) -> None:
        """Status per record: quarantined (broke its contract), duplicate (its key is earlier in
        the batch or already in the lake) or landed."""
        con, contract = self.con, self.contract
        keys = ", ".join(quote("t_" + k) for k in contract.primary_key)
        event = quote("t_" + contract.event_time)
        existing = "select null as _k where false"
        if self.lake.has_data(contract.feed):
            key_expr = " || '|' || ".join(f"cast({quote(k)} as varchar)"
                                          for k in contract.primary_key)
            existing = (f"select {key_expr} as _k from read_parquet("
                        f"'{self.lake.files_glob(contract.feed)}', hive_partitioning = true) "
                        f"where dt in (select distinct cast({event} as date) from checked)")
        batch_key = " || '|' || ".join(f"cast({quote('t_' + k)} as varchar)"
                                       for k in contract.primary_key)
        con.execute(f"""
            create or replace temp table checked as
            with ranked as (
                select *, {batch_key} as _k,
                    row_number() over (partition by {keys}, _reason is null
                                       order by _source_file, _line) as _rank
                from checked
            )
            select ranked.* exclude (_rank),
                case when _reason is not null then 'quarantined'
                     when _rank > 1 or _k in (select _k from ({existing})) then 'duplicate'
                     else 'landed' end as _status
            from ranked
        """)

    def _landed_sql(self, batch_id: str) -> str:
        contract = self.contract
        columns = []
        for f in contract.fields:
            typed = quote("t_" + f.name)
            if f.pii in PERSON_PII:
                normal = normalise_sql(f.pii, typed)
                columns.append(f"{self.key.token_sql(normal)} as {quote(f.name + '_token')}")
                columns.append(f"{mask_sql(f.pii, normal)} as {quote(f.name + '_masked')}")
            elif f.pii == "free_text":
                columns.append(f"{redact_sql(typed)} as {quote(f.name)}")
            else:
                columns.append(f"{typed} as {quote(f.name)}")
        event = quote("t_" + contract.event_time)
        if contract.communication:
            years = self.settings.retention_years
            columns.append(f"cast(cast({event} as date) + interval {years} year as date) "
                           f"as retain_until")
        columns += [
            "_source_file",
            "_line as _source_line",
            f"'{self.key.fingerprint}' as _pii_key_id",
            "current_timestamp::timestamp as _ingested_at",
            f"'{contract.version}' as _contract_version",
            f"'{batch_id}' as _batch_id",
            f"cast({event} as date) as dt",
        ]
        return (f"select {', '.join(columns)} from checked where _status = 'landed' "
                f"order by dt, {', '.join(quote('t_' + k) for k in contract.primary_key)}")

    def _stage_quarantine(self, files, batch_id: str, staging: Path) -> Path | None:
        rows = self.con.execute("""
            select c._source_file, c._line, c._reason, l._payload
            from checked c join lines l using (_source_file, _line)
            where c._status = 'quarantined' order by c._source_file, c._line""").fetchall()
        sha = {f.relative: f.sha256 for f in files}
        already = self._already_quarantined(set(sha.values()))
        rows = [r for r in rows if (sha[r[0]], r[1]) not in already]
        if not rows:
            return None
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        table = pa.table({
            "feed": [self.contract.feed] * len(rows),
            "source_file": [r[0] for r in rows],
            "source_line": pa.array([r[1] for r in rows], pa.int64()),
            "source_sha256": [sha[r[0]] for r in rows],
            "reason": [r[2] for r in rows],
            "payload_encrypted": [self.key.encrypt(r[3].encode()) for r in rows],
            "contract_version": [self.contract.version] * len(rows),
            "batch_id": [batch_id] * len(rows),
            "quarantined_at": pa.array([now] * len(rows), pa.timestamp("us")),
        })
        path = staging / "quarantine.parquet"
        pq.write_table(table, path, compression="zstd")
        return path

    def _already_quarantined(self, hashes: set[str]) -> set[tuple[str, int]]:
        """(file sha256, line) already in quarantine: a batch that crashed after publishing its
        quarantine but before its manifest must not quarantine the same records twice."""
        if not Path(self.lake.quarantine_glob(self.contract.feed)).parent.exists():
            return set()
        rows = self.con.execute(
            f"select source_sha256, source_line from read_parquet("
            f"'{self.lake.quarantine_glob(self.contract.feed)}') "
            f"where source_sha256 in (select unnest(?))", [sorted(hashes)]).fetchall()
        return {(r[0], r[1]) for r in rows}

    def _write_manifest(self, rows: list[dict], batch_id: str) -> None:
        target = self.lake.root / "_manifest" / self.contract.feed / f"batch-{batch_id}.parquet"
        staged = self.lake.staging(batch_id) / "manifest.parquet"
        staged.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows), staged)
        self.lake.publish_file(staged, target)


def _record_count(f: raw_files.RawFile, contract: Contract) -> int:
    lines = [line for line in f.path.read_bytes().splitlines() if line.strip()]
    return len(lines) - (1 if contract.kind == "export" and lines else 0)


def _manifest_row(f: raw_files.RawFile, status: str, encoding: str, read: int, landed: int,
                  quarantined: int, duplicates: int, batch_id: str) -> dict:
    return {"source_file": f.relative, "sha256": f.sha256, "size_bytes": f.size,
            "status": status,
            "encoding": encoding, "read": read, "landed": landed, "quarantined": quarantined,
            "duplicates": duplicates, "batch_id": batch_id,
            "ingested_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)}
