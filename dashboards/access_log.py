"""The access log: one JSON line for every view of a conversation or customer and every search
(who, what, when). The warehouse is read-only for the dashboard, so the log is a file under
``WORKPHONE_HOME/logs``; each line is written with one append, so concurrent sessions never
interleave within a line."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from dashboards.access import Viewer


def record(path: Path, viewer: Viewer, action: str, target: str, **details: object) -> None:
    """Append ``{"at", "user", "role", "agency_id", "action", "target", ...details}``."""
    entry = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
             "user": viewer.username, "role": viewer.role, "agency_id": viewer.agency_id,
             "action": action, "target": target, **details}
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)

