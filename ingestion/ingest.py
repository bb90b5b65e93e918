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
            from checked_status group by _source_file""").fetchall()
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
        the batch or already in the lake) or landed. Only keys seen twice are ranked."""
        con, contract = self.con, self.contract
        key = _key_sql(contract.primary_key, prefix="t_")
        con.execute(f"""
            create or replace temp table first_of_repeats as
            select {key} as _k, min(_source_file || lpad(_line::varchar, 12, '0')) as _first
            from checked where _reason is null
            group by all having count(*) > 1
        """)
        in_lake = "false"
        if self.lake.has_data(contract.feed):
            event = quote("t_" + contract.event_time)
            con.execute(f"""
                create or replace temp table keys_in_lake as
                select {_key_sql(contract.primary_key)} as _k
                from read_parquet('{self.lake.files_glob(contract.feed)}',
                                  hive_partitioning = true)
                where dt in (select distinct cast({event} as date) from checked)
            """)
            in_lake = "c._k in (select _k from keys_in_lake)"
        con.execute(f"""
            create or replace temp table checked_status as
            select c.*,
                case when c._reason is not null then 'quarantined'
                     when r._first is not null
                          and r._first <> c._source_file || lpad(c._line::varchar, 12, '0')
                          then 'duplicate'
                     when {in_lake} then 'duplicate'
                     else 'landed' end as _status
            from (select *, {key} as _k from checked) c
            left join first_of_repeats r on r._k = c._k
        """)

    def _landed_sql(self, batch_id: str) -> str:
        """The landed records as the lake keeps them. Personal values are tokenised once per
        distinct value (``pii_values``), then joined back."""
        contract = self.contract
        person = [f for f in contract.fields if f.pii in PERSON_PII]
        if person:
            values = " union ".join(
                f"select '{f.pii}' as pii, {_normal(f, quote('t_' + f.name))} as v "
                f"from checked_status where _status = 'landed'" for f in person)
            cases = " ".join(f"when '{p}' then {mask_sql(p, 'v')}"
                             for p in sorted({f.pii for f in person}))
            self.con.execute(f"""
                create or replace temp table pii_values as
                select pii, v, {self.key.token_sql('v')} as token, case pii {cases} end as masked
                from (select distinct pii, v from ({values})) where v is not null
            """)
        columns, joins = [], []
        for n, f in enumerate(contract.fields):
            typed = f"c.{quote('t_' + f.name)}"
            if f.pii in PERSON_PII:
                alias = f"p{n}"
                joins.append(f"left join pii_values {alias} on {alias}.pii = '{f.pii}' and "
                             f"{alias}.v = {_normal(f, typed)}")
                columns.append(f"{alias}.token as {quote(f.name + '_token')}")
                columns.append(f"{alias}.masked as {quote(f.name + '_masked')}")
            elif f.pii == "free_text":
                columns.append(f"{redact_sql(typed)} as {quote(f.name)}")
            else:
                columns.append(f"{typed} as {quote(f.name)}")
        event = f"c.{quote('t_' + contract.event_time)}"
        if contract.communication:
            years = self.settings.retention_years
            columns.append(f"cast(cast({event} as date) + interval {years} year as date) "
                           f"as retain_until")
        columns += [
            "c._source_file",
            "c._line as _source_line",
            f"'{self.key.fingerprint}' as _pii_key_id",
            "current_timestamp::timestamp as _ingested_at",
            f"'{contract.version}' as _contract_version",
            f"'{batch_id}' as _batch_id",
            f"cast({event} as date) as dt",
        ]
        return (f"select {', '.join(columns)} from checked_status c {' '.join(joins)} "
                f"where c._status = 'landed'")

    def _stage_quarantine(self, files, batch_id: str, staging: Path) -> Path | None:
        rows = self.con.execute(raw_files.payloads_sql(self.contract, """
            select _source_file, _line, _reason from checked_status
            where _status = 'quarantined'""")).fetchall()
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


def _normal(field, expr: str) -> str:
    """A value's normal form for tokenising; a value that kept its contract's pattern is
    already normal (saves a regular expression per record)."""
    return expr if field.pattern else normalise_sql(field.pii, expr)


def _key_sql(columns: tuple[str, ...], prefix: str = "") -> str:
    """SQL of one comparable value per record key (the column itself for a one-column key)."""
    if len(columns) == 1:
        return f"cast({quote(prefix + columns[0])} as varchar)"
    return " || '|' || ".join(f"cast({quote(prefix + c)} as varchar)" for c in columns)


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
