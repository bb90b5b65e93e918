"""Column buffers for the records a simulation emits, one buffer per raw feed or truth table."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import polars as pl

# Raw device feeds and their columns, in the order a vendor's JSON objects carry them.
DEVICE_FEEDS: dict[str, list[str]] = {
    "calls": ["call_id", "device_id", "employee_id", "local_number", "remote_number",
              "direction", "started_at", "answered_at", "ended_at", "duration_s",
              "recording_ref", "recording_duration_s", "recording_channels",
              "recording_sample_rate", "recording_sha256", "uploaded_at"],
    "messages": ["message_id", "device_id", "employee_id", "app", "peer_id", "direction",
                 "msg_type", "text", "sent_at", "uploaded_at"],
    "friend_adds": ["event_id", "device_id", "employee_id", "app", "peer_id", "peer_phone",
                    "added_at", "uploaded_at"],
    "sms": ["sms_id", "device_id", "employee_id", "direction", "remote_number", "text",
            "sent_at", "uploaded_at"],
    "gps_pings": ["ping_id", "device_id", "employee_id", "recorded_at", "lat", "lon",
                  "accuracy_m", "uploaded_at"],
    "visit_checkins": ["checkin_id", "device_id", "employee_id", "visit_id", "case_id",
                       "checked_in_at", "lat", "lon", "result", "recording_ref", "uploaded_at"],
    "esignatures": ["esign_id", "device_id", "employee_id", "lead_id", "signer_phone",
                    "document_type", "signed_at", "uploaded_at"],
}
# The timestamp that decides which day's file a device record is delivered in.
EVENT_TIME = {
    "calls": "ended_at", "messages": "sent_at", "friend_adds": "added_at", "sms": "sent_at",
    "gps_pings": "recorded_at", "visit_checkins": "checked_in_at", "esignatures": "signed_at",
}


class Buffers:
    """Append rows column by column; turn them into Polars frames at the end.

    Rows wait in Python lists only until a table has ``CHUNK_ROWS`` of them; then they become a
    Polars frame (Arrow memory, several times smaller than the Python objects), so that no
    feed of a large world is ever held whole as Python objects."""

    CHUNK_ROWS = 200_000

    def __init__(self) -> None:
        self._cols: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self._chunks: dict[str, list[pl.DataFrame]] = defaultdict(list)
        self._counters: dict[str, int] = defaultdict(int)

    def next_id(self, prefix: str) -> str:
        self._counters[prefix] += 1
        return f"{prefix}{self._counters[prefix]:09d}"

    def id_block(self, prefix: str, n: int) -> np.ndarray:
        first = self._counters[prefix] + 1
        self._counters[prefix] += n
        return np.array([f"{prefix}{k:09d}" for k in range(first, first + n)], dtype=object)

    def add(self, table: str, **row) -> None:
        cols = self._cols[table]
        for key, value in row.items():
            cols[key].append(value)
        if len(cols[key]) >= self.CHUNK_ROWS:
            self._seal(table)

    def extend(self, table: str, columns: dict[str, np.ndarray | list]) -> None:
        cols = self._cols[table]
        for key, values in columns.items():
            cols[key].extend(values.tolist() if isinstance(values, np.ndarray) else values)
        if columns and len(cols[key]) >= self.CHUNK_ROWS:
            self._seal(table)

    def _seal(self, table: str) -> None:
        """Turn the rows waiting in ``table``'s lists into one more frame."""
        cols = self._cols.pop(table, None)
        if cols:
            self._chunks[table].append(pl.DataFrame(dict(cols), strict=False))

    def frame(self, table: str, columns: list[str] | None = None) -> pl.DataFrame:
        self._seal(table)
        chunks = self._chunks.get(table, [])
        if not chunks:
            return pl.DataFrame({c: [] for c in columns or []})
        frame = chunks[0] if len(chunks) == 1 else pl.concat(chunks, how="diagonal_relaxed")
        self._chunks[table] = [frame]
        return frame.select(columns) if columns else frame
