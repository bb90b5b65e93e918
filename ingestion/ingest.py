"""Ingest raw captures into the Parquet lake: contracts enforced, personal data protected,
lineage kept, nothing lost and nothing twice.

For every feed: files not yet ingested are fingerprinted; a file whose bytes were already
ingested (a redelivery) is skipped whole and its records counted as duplicates. New files are
read in batches into DuckDB, checked against the feed's contract, de-duplicated on the contract's
primary key (within the batch and against the lake), then published: landed records to
``lake/<feed>/dt=<delivery day>/`` (one file per batch and delivery day), broken ones to
``lake/quarantine`` with their reason, source file and line and the payload encrypted. Per feed
and file: read = landed + quarantined + duplicates.
"""

from __future__ import annotations

import datetime as dt
import mmap
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion import raw_files
from ingestion.contracts.model import Contract, load_contracts
from ingestion.enforce import enforce_sql, literal, quote
from ingestion.lake import Lake
from ingestion.ops_tables import publish_ops_tables
from ingestion.pii import PiiKey, mask_sql, normalise_sql, redact_sql
from workphone.settings import Settings

BATCH_FILES = 3000
LAKE_PARQUET = ("format parquet, compression zstd, compression_level 2, parquet_version v2, "
                "row_group_size 65536")
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
    lake = Lake(settings.lake_store)
    lake.clear_staging()
    key = PiiKey.from_settings(settings)
    report = IngestReport()
    con = lake.store.configure(duckdb.connect())
    con.execute("set preserve_insertion_order = false")  # lineage columns carry the order
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    for feed in wanted:
        ingestor = FeedIngestor(con, lake, raw, contracts[feed], key, settings, run_id)
        report.feeds[feed] = ingestor.run(say, days)
    with ThreadPoolExecutor(max_workers=1) as background:
        # The warehouse's tables are rebuilt while the working database frees its memory.
        published = background.submit(publish_ops_tables, lake, settings.warehouse_path)
        con.close()
        published.result()
    report.seconds = time.perf_counter() - began
    return report


class FeedIngestor:
    def __init__(self, con, lake: Lake, raw: Path, contract: Contract, key: PiiKey,
                 settings: Settings, run_id: str) -> None:
        self.con, self.lake, self.raw, self.contract = con, lake, raw, contract
        self.key, self.settings, self.run_id = key, settings, run_id

    def run(self, say: Callable[[str], None], days: tuple[str, str] | None) -> FeedCounts:
        """Ingest the feed's files not yet ingested, in batches of at most ``BATCH_FILES``."""
        feed = self.contract.feed
        known = self.lake.ingested_files(self.con, feed)
        seen_hashes = set(known.values())
        new = [p for p in raw_files.discover(self.raw, self.contract, days)
               if p.relative_to(self.raw).as_posix() not in known]
        counts = FeedCounts()
        redelivered: list[tuple[raw_files.RawFile, int]] = []
        batches = [new[i:i + BATCH_FILES] for i in range(0, len(new), BATCH_FILES)]
        for number, paths in enumerate(batches, start=1):
            say(f"ingest {feed}: batch {number}/{len(batches)} ({len(paths)} files)")
            fresh: raw_files.Batch = []
            for delivery in raw_files.read(self.raw, paths, self.contract):
                if delivery.file.sha256 in seen_hashes:
                    redelivered.append((delivery.file, _record_count(delivery.data,
                                                                     self.contract)))
                else:
                    fresh.append(delivery)
                seen_hashes.add(delivery.file.sha256)
            if fresh:
                counts.add(self._ingest_batch(fresh, f"{self.run_id}-{number:04d}"))
        if redelivered:  # recorded only once the originals they repeat are in the lake
            counts.add(self._skip_redelivered(redelivered))
        if new:
            say(f"ingest {feed}: read {counts.read}, landed {counts.landed}, quarantined "
                f"{counts.quarantined}, duplicates {counts.duplicates}")
        return counts

    # -- a redelivered file: same bytes as one already ingested ------------------------------
    def _skip_redelivered(self, files: list[tuple[raw_files.RawFile, int]]) -> FeedCounts:
        rows = [_manifest_row(f, "redelivered", "", records, 0, 0, records, self.run_id)
                for f, records in files]
        self._write_manifest(rows, f"{self.run_id}-redelivered")
        total = sum(r["read"] for r in rows)
        return FeedCounts(read=total, duplicates=total, files=len(files))

    # -- a batch of new files -----------------------------------------------------------------
    def _ingest_batch(self, batch: raw_files.Batch, batch_id: str) -> FeedCounts:
        """Check, de-duplicate and stage the batch, then publish it: data, quarantine, and the
        manifest last."""
        files = [d.file for d in batch]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        encodings = self._check(batch)
        self._find_duplicates()
        manifest = self._manifest_rows(files, encodings, batch_id)
        landing_days = sorted({f.day for f, row in zip(files, manifest, strict=True)
                               if row["landed"]})
        if landing_days:
            self._tokenise()
        for day in landing_days:
            self._stage_landed(day, batch_id, now)
        self._stage_quarantine(files, batch_id, now)
        self.lake.publish_staged(batch_id, "data", self.contract.feed)
        self.lake.publish_staged(batch_id, "quarantine", "quarantine")
        self._write_manifest(manifest, batch_id)
        return FeedCounts(read=sum(r["read"] for r in manifest),
                          landed=sum(r["landed"] for r in manifest),
                          quarantined=sum(r["quarantined"] for r in manifest),
                          duplicates=sum(r["duplicates"] for r in manifest), files=len(files),
                          batches=[batch_id])

    def _check(self, batch: raw_files.Batch) -> dict[str, str]:
        """Create ``checked``: the batch's records, typed, each with the reason it breaks the
        contract (NULL when it keeps it); return the encoding of each file. Lines that look like
        whole JSON objects are trusted at first (one parse less); if one is not JSON after all,
        the batch is checked again validating every line."""
        try:
            return self._check_once(batch, trust_whole_lines=True)
        except duckdb.InvalidInputException:
            return self._check_once(batch, trust_whole_lines=False)

    def _check_once(self, batch: raw_files.Batch, trust_whole_lines: bool) -> dict[str, str]:
        with raw_files.parsed(self.con, batch, self.contract, trust_whole_lines) as encodings:
            self.con.execute(f"create or replace temp table checked as "
                             f"{enforce_sql(self.contract)}")
        return encodings

    def _manifest_rows(self, files: list[raw_files.RawFile], encodings: dict[str, str],
                       batch_id: str) -> list[dict]:
        """One manifest row per file: read, landed, quarantined and duplicates."""
        counted = {file: (read, quarantined, duplicates)
                   for file, read, quarantined, duplicates in self.con.execute("""
            select f._source_file, count(*), count(c._reason), count(d._line)
            from checked c
            join batch_files f using (_file)
            left join duplicates d on d._file = c._file and d._line = c._line
            group by f._source_file""").fetchall()}
        rows = []
        for f in files:
            read, quarantined, duplicates = counted.get(f.relative, (0, 0, 0))
            rows.append(_manifest_row(f, "ingested", encodings[f.relative], read,
                                      read - quarantined - duplicates, quarantined,
                                      duplicates, batch_id))
        return rows

    def _find_duplicates(self) -> None:
        """``duplicates``: the (file, line) of every valid record whose key is earlier in the
        batch (files are in path order) or already in the lake. Only keys seen twice are
        ranked."""
        key = _key_sql(self.contract.primary_key, prefix="t_")
        in_lake = ""
        if self._stage_keys_in_lake():
            in_lake = """union
                select _file, _line from valid semi join keys_in_lake using (_k)"""
        self.con.execute(f"""
            create or replace temp table duplicates as
            with valid as (
                select _file, _line, {key} as _k from checked where _reason is null
            ),
            repeated as (select _k from valid group by _k having count(*) > 1),
            ranked as (
                select _file, _line,
                       row_number() over (partition by _k order by _file, _line) as _n
                from valid semi join repeated using (_k)
            )
            select _file, _line from ranked where _n > 1
            {in_lake}
        """)

    def _stage_keys_in_lake(self) -> bool:
        """``keys_in_lake``: keys of the lake's records whose event day is within the batch's
        event days (a repeated record repeats its event time; the bounds let Parquet skip
        every row group outside them). False when there is nothing to compare with."""
        if not self.lake.has_data(self.contract.feed):
            return False
        event = quote(self.contract.event_time)
        first, after_last = self.con.execute(
            f"select min({quote('t_' + self.contract.event_time)})::date, "
            f"max({quote('t_' + self.contract.event_time)})::date + 1 "
            f"from checked where _reason is null").fetchone()
        if first is None:
            return False
        self.con.execute(f"""
            create or replace temp table keys_in_lake as
            select {_key_sql(self.contract.primary_key)} as _k
            from read_parquet('{self.lake.files_glob(self.contract.feed)}')
            where {event} >= timestamp '{first}' and {event} < timestamp '{after_last}'
        """)
        return True

    def _tokenise(self) -> None:
        """``pii_values``: the token and masked form of every distinct personal value among the
        valid records, so that each value is hashed once however often it occurs."""
        person = [f for f in self.contract.fields if f.pii in PERSON_PII]
        if not person:
            return
        values = " union all ".join(
            f"select '{f.pii}' as pii, {_normal(f, quote('t_' + f.name))} as v "
            f"from checked where _reason is null" for f in person)
        cases = " ".join(f"when '{p}' then {mask_sql(p, 'v')}"
                         for p in sorted({f.pii for f in person}))
        self.con.execute(f"""
            create or replace temp table pii_values as
            select pii, v, {self.key.token_sql('v')} as token, case pii {cases} end as masked
            from (select distinct pii, v from ({values})) where v is not null
        """)

    def _stage_landed(self, day: str, batch_id: str, now: dt.datetime) -> None:
        """Write the batch's landed records delivered on ``day`` as one Parquet file of the
        lake partition ``dt=<day>`` (one plain file write: DuckDB writes it in parallel, which
        a ``partition_by`` write does not)."""
        target = self.lake.staged_file(batch_id, "data", f"dt={day}", f"part-{batch_id}.parquet")
        self.con.execute(f"copy ({self._landed_sql(day, batch_id, now)}) to '{target}' "
                         f"({LAKE_PARQUET})")

    def _landed_sql(self, day: str, batch_id: str, now: dt.datetime) -> str:
        """The landed records of one delivery day as the lake keeps them: personal values as
        tokens and masks (joined from ``pii_values``), free text redacted, lineage added."""
        contract = self.contract
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
        if contract.communication:
            event = f"c.{quote('t_' + contract.event_time)}"
            years = self.settings.retention_years
            columns.append(f"cast(cast({event} as date) + interval {years} year as date) "
                           f"as retain_until")
        columns += [
            "f._source_file",
            "c._line as _source_line",
            f"{_constant(self.key.fingerprint)} as _pii_key_id",
            f"timestamp '{now}' as _ingested_at",
            f"{_constant(contract.version)} as _contract_version",
            f"{_constant(batch_id)} as _batch_id",
        ]
        return f"""
            select {', '.join(columns)}
            from checked c
            join batch_files f using (_file)
            anti join duplicates d on d._file = c._file and d._line = c._line
            {' '.join(joins)}
            where c._reason is null and f._day = '{day}'"""

    def _stage_quarantine(self, files: list[raw_files.RawFile], batch_id: str,
                          now: dt.datetime) -> None:
        rows = self.con.execute("""
            select f._source_file, c._line, c._reason, c._payload
            from checked c join batch_files f using (_file)
            where c._reason is not null order by c._file, c._line""").fetchall()
        sha = {f.relative: f.sha256 for f in files}
        already = self._already_quarantined(set(sha.values()))
        rows = [r for r in rows if (sha[r[0]], r[1]) not in already]
        if not rows:
            return
        table = pa.table({
            "feed": [self.contract.feed] * len(rows),
            "source_file": [r[0] for r in rows],
            "source_line": pa.array([r[1] for r in rows], pa.int64()),
            "source_sha256": [sha[r[0]] for r in rows],
            "reason": [r[2] for r in rows],
            "payload_encrypted": [self.key.encrypt(r[3].rstrip("\r\n").encode())
                                  for r in rows],
            "contract_version": [self.contract.version] * len(rows),
            "batch_id": [batch_id] * len(rows),
            "quarantined_at": pa.array([now] * len(rows), pa.timestamp("us")),
        })
        self.lake.store.write_table(table, "_staging", batch_id, "quarantine",
                                    f"feed={self.contract.feed}", f"part-{batch_id}.parquet",
                                    compression="zstd")

    def _already_quarantined(self, hashes: set[str]) -> set[tuple[str, int]]:
        """(file sha256, line) already in quarantine: a batch that crashed after publishing its
        quarantine but before its manifest must not quarantine the same records twice."""
        if not self.lake.has_quarantine(self.contract.feed):
            return set()
        rows = self.con.execute(
            f"select source_sha256, source_line from read_parquet("
            f"'{self.lake.quarantine_glob(self.contract.feed)}') "
            f"where source_sha256 in (select unnest(?))", [sorted(hashes)]).fetchall()
        return {(r[0], r[1]) for r in rows}

    def _write_manifest(self, rows: list[dict], batch_id: str) -> None:
        self.lake.store.write_table(pa.Table.from_pylist(rows), "_staging", batch_id, "manifest",
                                    self.contract.feed, f"batch-{batch_id}.parquet")
        self.lake.publish_staged(batch_id, "manifest", "_manifest")


def _normal(field, expr: str) -> str:
    """A value's normal form for tokenising; a value that kept its contract's pattern is
    already normal (saves a regular expression per record)."""
    return expr if field.pattern else normalise_sql(field.pii, expr)


def _constant(text: str) -> str:
    """SQL of a text that is the same on every row. As a one-value ENUM it reaches Parquet as a
    one-entry dictionary without hashing every row; readers see plain text."""
    return f"{literal(text)}::enum({literal(text)})"


def _key_sql(columns: tuple[str, ...], prefix: str = "") -> str:
    """SQL of one comparable value per record key (the column itself for a one-column key)."""
    if len(columns) == 1:
        return f"cast({quote(prefix + columns[0])} as varchar)"
    return " || '|' || ".join(f"cast({quote(prefix + c)} as varchar)" for c in columns)


def _record_count(data: bytes | mmap.mmap, contract: Contract) -> int:
    lines = [line for line in bytes(data).splitlines() if line.strip()]
    return len(lines) - (1 if contract.kind == "export" and lines else 0)


def _manifest_row(f: raw_files.RawFile, status: str, encoding: str, read: int, landed: int,
                  quarantined: int, duplicates: int, batch_id: str) -> dict:
    return {"source_file": f.relative, "sha256": f.sha256, "size_bytes": f.size,
            "status": status,
            "encoding": encoding, "read": read, "landed": landed, "quarantined": quarantined,
            "duplicates": duplicates, "batch_id": batch_id,
            "ingested_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)}
