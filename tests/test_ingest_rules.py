"""Contract enforcement record by record: every rule, with the reason and the source line."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest

from ingestion import raw_files
from ingestion.ingest import ingest
from workphone.settings import Settings

GOOD = {
    "call_id": "CALL1", "device_id": "WP000001", "employee_id": "E00001",
    "local_number": "13800000001", "remote_number": "13912345678", "direction": "outbound",
    "started_at": "2025-03-01T10:00:00+08:00", "answered_at": "2025-03-01T10:00:05+08:00",
    "ended_at": "2025-03-01T10:01:05+08:00", "duration_s": 60, "recording_ref": None,
    "uploaded_at": "2025-03-01T10:02:00+08:00",
}


def _call(**changes):
    record = dict(GOOD) | changes
    return json.dumps({k: v for k, v in record.items() if v is not ...}, ensure_ascii=False)


@pytest.fixture()
def home(tmp_path):
    return Settings(home=tmp_path / "home", pii_key_hex="cd" * 32)


def _write_calls(raw, lines, name="WP000001_2025-03-01.jsonl", day="2025-03-01"):
    folder = raw / "devices" / "calls" / day
    folder.mkdir(parents=True, exist_ok=True)
    data = b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines)
    (folder / name).write_bytes(data + b"\n")


def _quarantine(settings):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return {line: reason for line, reason in con.execute(
            "select source_line, reason from ops.quarantine order by 1").fetchall()}


CASES = [
    (_call(call_id="C2", direction="sideways"), "direction: not one of outbound, inbound"),
    (_call(call_id="C3", duration_s="abc"), "duration_s: not a whole number (got 'abc')"),
    (_call(call_id="C4", duration_s=-5), "duration_s: below the minimum 0"),
    (_call(call_id="C5", duration_s=90000), "duration_s: above the maximum 86400"),
    (_call(call_id="C6", ended_at=...), "ended_at: required but missing"),
    (_call(call_id="C7", ended_at="yesterday"), "ended_at: not a time"),
    (_call(call_id="C8", remote_number="12345"), "remote_number: does not match the pattern"),
    (_call(call_id="C9", device_id="PHONE-9"), "device_id: does not match the pattern"),
    ('{"call_id": "C10", "device_id": "WP0', "malformed JSON"),
    ('{"call_id": "C13", "device_id": }', "malformed JSON"),  # looks whole, is not JSON
    ('["C11"]', "not a JSON object"),
    (b'{"call_id": "C12", "text": "\xe4\xb8"}', "not valid UTF-8"),
]


@pytest.mark.parametrize("mapped", [False, True], ids=["read", "memory-mapped"])
def test_each_rule_quarantines_with_reason_and_line(home, tmp_path, monkeypatch, mapped):
    if mapped:  # large files are mapped, not read: the same records must come out
        monkeypatch.setattr(raw_files, "MAP_FROM_BYTES", 1)
    raw = tmp_path / "raw"
    _write_calls(raw, [_call(), *[line for line, _ in CASES]])
    report = ingest(home, raw=raw, feeds=["calls"])
    counts = report.feeds["calls"]
    assert (counts.read, counts.landed, counts.quarantined) == (len(CASES) + 1, 1, len(CASES))
    reasons = _quarantine(home)
    for line_no, (_, expected) in enumerate(CASES, start=2):
        assert expected in reasons[line_no], (line_no, reasons[line_no])


def test_reasons_never_show_personal_numbers(home, tmp_path):
    raw = tmp_path / "raw"
    _write_calls(raw, [_call(remote_number="1391234567x")])
    ingest(home, raw=raw, feeds=["calls"])
    reason = _quarantine(home)[1]
    assert "remote_number" in reason and "1391234567" not in reason


def test_quarantined_payload_is_encrypted_and_recoverable(home, tmp_path):
    from ingestion.pii import PiiKey

    raw = tmp_path / "raw"
    bad = _call(direction="sideways")
    _write_calls(raw, [bad])
    ingest(home, raw=raw, feeds=["calls"])
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        blob, source = con.execute(
            "select payload_encrypted, source_file from ops.quarantine").fetchone()
    assert "13912345678" not in blob
    assert PiiKey.from_settings(home).decrypt(blob).decode() == bad
    assert source == "devices/calls/2025-03-01/WP000001_2025-03-01.jsonl"


def test_line_breaks_blank_lines_and_a_missing_last_break(home, tmp_path):
    from ingestion.pii import PiiKey

    folder = tmp_path / "raw" / "devices" / "calls" / "2025-03-01"
    folder.mkdir(parents=True)
    bad = _call(call_id="C2", direction="sideways")
    lines = [_call(), "", "   ", bad, _call(call_id="C3")]
    (folder / "WP000001_2025-03-01.jsonl").write_bytes("\r\n".join(lines).encode())
    counts = ingest(home, raw=tmp_path / "raw", feeds=["calls"]).feeds["calls"]
    assert (counts.read, counts.landed, counts.quarantined) == (3, 2, 1)
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        line, blob = con.execute(
            "select source_line, payload_encrypted from ops.quarantine").fetchone()
    assert line == 4 and PiiKey.from_settings(home).decrypt(blob).decode() == bad


def test_times_land_as_china_time(home, tmp_path):
    raw = tmp_path / "raw"
    _write_calls(raw, [_call(started_at="2025-03-01T11:00:00+09:00"), _call(call_id="C2")])
    ingest(home, raw=raw, feeds=["calls"])
    calls = pl.read_parquet(home.lake_dir / "calls" / "*" / "*.parquet").sort("call_id")
    assert [t.isoformat() for t in calls["started_at"]] == ["2025-03-01T10:00:00"] * 2
    assert calls["ended_at"][0].isoformat() == "2025-03-01T10:01:05"


def test_csv_rules_and_a_ragged_row(home, tmp_path):
    folder = tmp_path / "raw" / "exports" / "repayments"
    folder.mkdir(parents=True)
    (folder / "repayments_2025-03-01.csv").write_text(
        "repayment_id,loan_id,paid_at,amount_cny,method\n"
        "RP000000001,LN00000001,2025-03-01 10:00:00,100.5,app\n"
        "RP000000002,LN00000001,2025-03-01 10:00:00,-3,app\n"
        "RP000000003,LN00000001,not a time,10,app\n"
        "RP000000004,LN00000001,2025-03-01 10:00:00,10,app,extra\n"
        "RP000000005,,2025-03-01 10:00:00,10,pigeon\n", encoding="utf-8")
    report = ingest(home, raw=tmp_path / "raw", feeds=["repayments"])
    assert report.feeds["repayments"].landed == 1
    reasons = _quarantine(home)
    assert "amount_cny: below the minimum" in reasons[3]
    assert "paid_at: not a time" in reasons[4]
    assert "expected 5 columns as in the header, found 6" in reasons[5]
    assert "loan_id: required but missing" in reasons[6] and "method: not one of" in reasons[6]


def test_unknown_feed_is_a_clear_error(home, tmp_path):
    with pytest.raises(ValueError, match="no contract for feed"):
        ingest(home, raw=tmp_path, feeds=["faxes"])
