"""The captured originals behind the warehouse's masked rows, for the roles that may see them.

Personal data never leaves ingestion in clear: the lake and the warehouse hold tokens, masked
forms (``138****5678``) and text with numbers replaced by placeholders. What the devices and
systems delivered stays under ``WORKPHONE_HOME/raw``, and every lake row names the raw file and
line it came from (``_source_file``, ``_source_line``). These functions read that line back,
only ever inside ``raw/``.
"""

from __future__ import annotations

import csv
import io
import json
from itertools import islice
from pathlib import Path

from ingestion.pii import TEXT_PATTERNS

# The placeholders ingestion and speech put where a personal number was.
PLACEHOLDERS = tuple(dict.fromkeys(placeholder for _, placeholder in TEXT_PATTERNS))


def raw_lines(raw_dir: Path, source_file: str, lines: set[int],
              encoding: str = "utf-8") -> dict[int, str]:
    """The given (1-based) lines of a raw file; lines past its end or a missing file give
    nothing (captures are removed when their retention ends)."""
    root = raw_dir.resolve()
    path = (root / source_file).resolve()
    if not path.is_relative_to(root) or not path.is_file() or not lines:
        return {}
    found = {}
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        for number, line in enumerate(islice(handle, max(lines)), start=1):
            if number in lines:
                found[number] = line.rstrip("\r\n")
    return found


def raw_records(raw_dir: Path, source_file: str, lines: set[int]) -> dict[int, dict]:
    """JSON Lines records (device captures) by line number; unparsable lines are left out."""
    records = {}
    for number, line in raw_lines(raw_dir, source_file, lines).items():
        try:
            records[number] = json.loads(line)
        except json.JSONDecodeError:
            continue
    return records


def raw_csv_row(raw_dir: Path, source_file: str, line: int, encoding: str) -> dict | None:
    """One row of a CSV export (line 1 is the header) as a dict, or None."""
    found = raw_lines(raw_dir, source_file, {1, line}, encoding)
    if 1 not in found or line not in found or line == 1:
        return None
    header = next(csv.reader(io.StringIO(found[1])))
    row = next(csv.reader(io.StringIO(found[line])))
    return dict(zip(header, row, strict=False))


def is_redacted(text: str | None) -> bool:
    return bool(text) and any(p in text for p in PLACEHOLDERS)
