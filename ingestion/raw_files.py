"""Raw files as delivered: find them, read and fingerprint them, and present them as one relation
of text records (``parsed``), whatever the feed's format or encoding.

``parsed`` holds one row per record: ``_file`` (the file's index in the batch, see
``batch_files``), ``_line``, ``_payload`` (the raw line), ``_parse_error`` and every contract
field as text. ``batch_files`` maps ``_file`` to ``_source_file`` (the path under the raw folder,
as lineage records it) and ``_day`` (the delivery day).
"""

from __future__ import annotations

import csv
import hashlib
import io
import mmap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from ingestion.contracts.model import Contract

ENCODINGS = ("utf-8", "gbk")
MAP_FROM_BYTES = 16 << 20  # files this large are memory-mapped instead of copied into memory
LINES_PER_CHUNK = 8192     # lines per Arrow record batch: DuckDB parses batches in parallel, and
                           # small ones share a large file evenly between its threads
# A line is blank when only whitespace precedes its line break; a line starting with a
# printable ASCII character is not, so only the others are trimmed (trim copies the line).
BLANK_LINE = ("case when _payload >= '!' and _payload < chr(127) then false "
              "else trim(rtrim(_payload, chr(13) || chr(10))) = '' end")
# A line is a record when it is valid JSON opening an object (past any whitespace). Checking
# that is a parse of its own, so a line that looks like a whole object ("{...}" and its line
# break, the usual case) may be trusted to be one and parsed straight away; should it not be
# JSON after all, DuckDB raises (see ``parsed``). Trusting goes through a CASE, not an OR: a
# projection evaluates both sides of an OR on every row, a CASE its ELSE only where it must.
IS_OBJECT = ("case when not json_valid(_payload) then false "
             "when _payload like '{%' then true else ltrim(_payload) like '{%' end")
TRUSTED_OR_OBJECT = f"case when _payload like '{{%}}' || chr(10) then true else {IS_OBJECT} end"


@dataclass(frozen=True)
class RawFile:
    path: Path
    relative: str          # path under the raw folder, as recorded in lineage
    day: str               # delivery day (YYYY-MM-DD): the lake partition its records land in
    sha256: str
    size: int
    utf8: bool


@dataclass(frozen=True, eq=False)
class Delivery:
    """A raw file read for a batch: its fingerprint, its bytes (JSON Lines that are not all
    UTF-8: sanitised) and, for JSON Lines, the offset just after each line."""
    file: RawFile
    data: bytes | mmap.mmap
    line_ends: np.ndarray | None


Batch = list[Delivery]


def feed_folder(raw: Path, contract: Contract) -> Path:
    return raw / ("devices" if contract.kind == "device" else "exports") / contract.feed


def delivery_day(path: Path, contract: Contract) -> str:
    """The day a file was delivered: its folder (device feeds) or its name's suffix (exports)."""
    return path.parent.name if contract.kind == "device" else path.stem.rsplit("_", 1)[-1]


def discover(raw: Path, contract: Contract, days: tuple[str, str] | None = None) -> list[Path]:
    """Raw files of a feed, optionally only those delivered between two days (inclusive)."""
    pattern = "*/*.jsonl" if contract.kind == "device" else "*.csv"
    found = sorted(feed_folder(raw, contract).glob(pattern))
    if days is None:
        return found
    first, last = days
    return [p for p in found if first <= delivery_day(p, contract) <= last]


def read(raw: Path, paths: list[Path], contract: Contract) -> Batch:
    """Read files for a batch, each once: bytes, fingerprint and, for JSON Lines, where the lines
    end. A second thread hashes (hashlib releases the GIL) while numpy finds the line ends."""
    contents = [_content(path) for path in paths]
    with ThreadPoolExecutor(max_workers=1) as hasher:
        digests = hasher.submit(_sha256_each, contents)
        utf8 = [_is_utf8(c) for c in contents]
        texts = contents
        if contract.kind == "device":
            texts = [c if ok else sanitised(c) for c, ok in zip(contents, utf8, strict=True)]
        ends = [_line_ends(t) if contract.kind == "device" else None for t in texts]
        sha256 = digests.result()
    return [Delivery(RawFile(path, path.relative_to(raw).as_posix(), delivery_day(path, contract),
                             digest, len(content), ok), text, end)
            for path, content, text, digest, ok, end
            in zip(paths, contents, texts, sha256, utf8, ends, strict=True)]


def _content(path: Path) -> bytes | mmap.mmap:
    """A file's bytes; a large file is mapped rather than copied (the lines handed to DuckDB
    point into it)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if size and size >= MAP_FROM_BYTES:
            return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return handle.read()


def _sha256_each(contents: list[bytes | mmap.mmap]) -> list[str]:
    return [hashlib.sha256(c).hexdigest() for c in contents]


def _is_utf8(data: bytes | mmap.mmap) -> bool:
    if np.frombuffer(data, np.uint8).max(initial=0) < 0x80:  # ASCII, the usual case
        return True
    try:
        str(data, "utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _line_ends(data: bytes | mmap.mmap) -> np.ndarray:
    """The offset just after each line: after each line break, and the end of a last line
    that has none."""
    codes = np.frombuffer(data, np.uint8)
    step = 1 << 20  # a slice at a time: no temporary array the size of the file
    ends = np.concatenate([np.flatnonzero(codes[i:i + step] == ord("\n")) + i + 1
                           for i in range(0, len(codes), step)] or [np.empty(0, np.int64)])
    if len(data) and data[-1:] != b"\n":
        ends = np.append(ends, len(data))
    return ends


def sanitised(data: bytes | mmap.mmap) -> bytes:
    """JSON Lines that are not all UTF-8, with each broken line replaced by its decodable text
    behind a marker (\x01) so that it is quarantined as such, in place."""
    out = []
    for line in bytes(data).split(b"\n"):
        try:
            line.decode("utf-8")
            out.append(line)
        except UnicodeDecodeError:
            out.append(b"\x01" + line.decode("utf-8", errors="replace").encode())
    return b"\n".join(out)


def decode(data: bytes | mmap.mmap) -> tuple[str, str]:
    """Text and the encoding it was in (UTF-8 first; GBK is what older exports use)."""
    for encoding in ENCODINGS:
        try:
            return str(data, encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", bytes(data), 0, 1, "neither UTF-8 nor GBK")


@contextmanager
def parsed(con: duckdb.DuckDBPyConnection, batch: Batch, contract: Contract,
           trust_whole_lines: bool = False) -> Iterator[dict]:
    """Create ``batch_files`` and make ``parsed`` readable while the block runs (for JSON Lines
    a view over the files' bytes, which are never copied); yield the encoding of each file.

    With ``trust_whole_lines``, JSON Lines that look like whole objects are parsed without
    being validated first, and reading ``parsed`` raises ``duckdb.InvalidInputException`` if
    one of them is not JSON: read it again without trusting them."""
    con.execute("create or replace temp table batch_files as "
                "select unnest(?) as _file, unnest(?) as _source_file, unnest(?) as _day",
                [list(range(len(batch))), [d.file.relative for d in batch],
                 [d.file.day for d in batch]])
    if contract.kind == "device":
        source, encodings = "raw_lines", {d.file.relative: "utf-8" for d in batch}
        con.register(source, _lines(batch))
        con.execute(_jsonl_parsed_sql(contract, trust_whole_lines))
    else:
        source = "raw_records"
        table, encodings = _csv_records(batch, contract)
        con.register(source, table)
        con.execute(f"create or replace temp view parsed as select * from {source}")
    try:
        yield encodings
    finally:
        con.execute("drop view parsed")
        con.unregister(source)


def _lines(batch: Batch) -> pa.Table:
    """Every line of the batch's JSON Lines files as Arrow: ``_file``, ``_line`` and ``_payload``,
    the line with its line break (JSON ignores it). The lines are slices of the files' bytes,
    never copied, in record batches of at most ``LINES_PER_CHUNK`` lines that DuckDB parses in
    parallel."""
    batches = []
    for index, delivery in enumerate(batch):
        offsets = np.concatenate(([0], delivery.line_ends)).astype(np.int64)
        text = pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets),
                                                pa.py_buffer(delivery.data))
        lines = pa.record_batch({"_file": np.full(len(text), index, np.int64),
                                 "_line": np.arange(1, len(text) + 1, dtype=np.int64),
                                 "_payload": text})
        batches += [lines.slice(i, LINES_PER_CHUNK) for i in range(0, len(text), LINES_PER_CHUNK)]
    schema = pa.schema({"_file": pa.int64(), "_line": pa.int64(), "_payload": pa.large_string()})
    return pa.Table.from_batches(batches, schema)


def _jsonl_parsed_sql(contract: Contract, trust_whole_lines: bool) -> str:
    structure = "{" + ", ".join(f'"{f.name}": "VARCHAR"' for f in contract.fields) + "}"
    is_object = TRUSTED_OR_OBJECT if trust_whole_lines else IS_OBJECT
    return f"""
        create or replace temp view parsed as
        with candidates as (
            select *, {is_object} as _is_object from raw_lines where not ({BLANK_LINE})
        )
        select _file, _line, _payload,
            case when _is_object then null
                 when starts_with(_payload, chr(1))
                 then 'not valid UTF-8: the line holds a broken byte sequence'
                 when json_valid(_payload) then 'not a JSON object'
                 else 'malformed JSON: the line is not a complete JSON object' end
                as _parse_error,
            unnest(case when _is_object then json_transform(_payload, '{structure}') end)
        from candidates
    """


def _csv_records(batch: Batch, contract: Contract) -> tuple[pa.Table, dict[str, str]]:
    """``parsed`` of CSV exports (UTF-8 or GBK) as Arrow, and the encoding of each file."""
    names = [f.name for f in contract.fields]
    columns: dict[str, list] = {c: [] for c in ["_file", "_line", "_payload", "_parse_error",
                                                *names]}
    encodings = {}
    for index, delivery in enumerate(batch):
        raw_file = delivery.file
        text, encodings[raw_file.relative] = decode(delivery.data)
        lines = text.splitlines()
        if not lines:
            continue
        header = next(csv.reader([lines[0]]))
        missing = [n for n in names if n not in header]
        position = {n: header.index(n) for n in names if n in header}
        for number, (line, cells) in enumerate(
                zip(lines[1:], csv.reader(io.StringIO("\n".join(lines[1:]))), strict=False),
                start=2):
            error = None
            if len(cells) != len(header):
                error = f"expected {len(header)} columns as in the header, found {len(cells)}"
            elif missing:
                error = f"the file's header lacks {', '.join(missing)}"
            columns["_file"].append(index)
            columns["_line"].append(number)
            columns["_payload"].append(line)
            columns["_parse_error"].append(error)
            for n in names:
                value = cells[position[n]] if n in position and not error else None
                columns[n].append(value if value != "" else None)
    numbers = {"_file", "_line"}
    table = pa.table({k: pa.array(v, type=pa.int64() if k in numbers else pa.string())
                      for k, v in columns.items()})
    return table, encodings
