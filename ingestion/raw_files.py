"""Raw files as delivered: find them, fingerprint them, and read them into one relation of text
records (``parsed``) with their source file and line, whatever the feed's format or encoding."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.contracts.model import Contract

ENCODINGS = ("utf-8", "gbk")


@dataclass(frozen=True)
class RawFile:
    path: Path
    relative: str          # path under the raw folder, as recorded in lineage
    sha256: str
    size: int
    utf8: bool


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


def fingerprint(raw: Path, path: Path) -> RawFile:
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    return RawFile(path, path.relative_to(raw).as_posix(), hashlib.sha256(data).hexdigest(),
                   len(data), utf8)


def sanitised_copy(raw_file: RawFile, target_root: Path) -> Path:
    """A copy of a JSON Lines file that is not all UTF-8, with each broken line replaced by
    its decodable text behind a marker (\x01) so that it is quarantined as such, in place."""
    target = target_root / raw_file.relative
    target.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for line in raw_file.path.read_bytes().split(b"\n"):
        try:
            line.decode("utf-8")
            out.append(line)
        except UnicodeDecodeError:
            out.append(b"\x01" + line.decode("utf-8", errors="replace").encode())
    target.write_bytes(b"\n".join(out))
    return target


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in (UTF-8 first; GBK is what older exports use)."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", data, 0, 1, "neither UTF-8 nor GBK")


def load_jsonl(con: duckdb.DuckDBPyConnection, raw: Path, files: list[RawFile],
               contract: Contract, scratch: Path) -> None:
    """Create ``lines`` (every raw line with its file and line number) and ``parsed`` (one row
    per non-blank line, every contract field as text, ``_parse_error`` for broken JSON).

    Lines are read as one-column CSV in file order (insertion order is preserved), so a line's
    number is its row id minus the row id of its file's first line.
    """
    con.execute("set preserve_insertion_order = true")
    paths = [str(f.path if f.utf8 else sanitised_copy(f, scratch)) for f in files]
    listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    # A literal list: with insertion order preserved, a bound list parameter reads far slower.
    con.execute(f"""
        create or replace temp table raw_lines as
        select filename, line as _payload
        from read_csv([{listed}], columns = {{'line': 'VARCHAR'}}, header = false,
                      delim = chr(31), quote = '', escape = '', auto_detect = false,
                      filename = true)
    """)
    con.execute("set preserve_insertion_order = false")  # row ids are fixed from here on
    con.execute(f"""
        create or replace temp table first_rows as
        select filename, min(rowid) as first_row,
            case when starts_with(filename, '{scratch}/')
                 then substr(filename, {len(str(scratch)) + 2})
                 else substr(filename, {len(str(raw)) + 2}) end as _source_file
        from raw_lines group by filename
    """)
    con.execute("""
        create or replace temp view lines as
        select f._source_file, r.rowid - f.first_row + 1 as _line, r._payload
        from raw_lines r join first_rows f using (filename)
        where r._payload is not null and trim(r._payload) <> ''
    """)
    structure = "{" + ", ".join(f'"{f.name}": "VARCHAR"' for f in contract.fields) + "}"
    nulls = ", ".join(f'null::varchar as "{f.name}"' for f in contract.fields)
    is_object = ("case when json_valid(_payload) then left(ltrim(_payload), 1) = '{' "
                 "else false end")
    con.execute(f"""
        create or replace temp table parsed as
        select _source_file, _line, null::varchar as _parse_error,
               unnest(json_transform(_payload, '{structure}'))
        from lines where {is_object}
    """)
    con.execute(f"""
        insert into parsed
        select _source_file, _line,
            case when starts_with(_payload, chr(1))
                 then 'not valid UTF-8: the line holds a broken byte sequence'
                 when json_valid(_payload) then 'not a JSON object'
                 else 'malformed JSON: the line is not a complete JSON object' end,
            {nulls}
        from lines where not ({is_object})
    """)


def payloads_sql(contract: Contract, broken: str) -> str:
    """SQL adding the raw line (``_payload``) to the rows of ``broken`` (file, line, reason).
    JSON Lines are found by row id, so that only the broken lines are touched."""
    if contract.kind == "device":
        return f"""
            with broken as ({broken}),
            targets as (select b.*, f.first_row + b._line - 1 as _row
                        from broken b join first_rows f using (_source_file))
            select t._source_file, t._line, t._reason, r._payload
            from targets t join raw_lines r on r.rowid = t._row
            order by t._source_file, t._line"""
    return f"""
        with broken as ({broken})
        select b._source_file, b._line, b._reason, r._payload
        from broken b join raw_lines r using (_source_file, _line)
        order by b._source_file, b._line"""


def load_csv(con: duckdb.DuckDBPyConnection, files: list[RawFile], contract: Contract) -> dict:
    """Create ``parsed`` from CSV exports (UTF-8 or GBK); return the encoding of each file."""
    names = [f.name for f in contract.fields]
    columns: dict[str, list] = {c: [] for c in ["_source_file", "_line", "_payload",
                                                "_parse_error", *names]}
    encodings = {}
    for raw_file in files:
        text, encodings[raw_file.relative] = decode(raw_file.path.read_bytes())
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
            columns["_source_file"].append(raw_file.relative)
            columns["_line"].append(number)
            columns["_payload"].append(line)
            columns["_parse_error"].append(error)
            for n in names:
                value = cells[position[n]] if n in position and not error else None
                columns[n].append(value if value != "" else None)
    table = pa.table({k: pa.array(v, type=pa.int64() if k == "_line" else pa.string())
                      for k, v in columns.items()})
    con.register("parsed_arrow", table)
    con.execute("create or replace temp table raw_lines as "
                "select _source_file, _line, _payload from parsed_arrow")
    con.execute("create or replace temp view lines as select * from raw_lines")
    con.execute("create or replace temp table parsed as "
                "select * exclude (_payload) from parsed_arrow")
    con.unregister("parsed_arrow")
    return encodings
