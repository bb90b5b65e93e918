"""A small, hand-written home for the dashboard tests, every figure of which is known.

Raw captures (employees, chat messages, calls with two recordings, GPS pings, a GBK loans export,
one broken message) go through the real ingestion, so the lake, ``ops.quarantine`` and
``ops.ingested_files`` are what the product makes of them; the marts and the model tables are
written by hand with only the columns the pages read (a test checks them against the dbt
documentation); the search index is built by the real builder.

Two agencies: AG01 (collector E00020, field agent E00021) and AG02 (collector E00030, field
agent E00031); the lender's own staff: sales reps E00001 (consumer) and E00002 (auto), collector
E00010. Test passwords: ``<user>-password`` (see ``USERS``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import duckdb
import numpy as np
import pytest
import soundfile

from dashboards.access import Viewer
from dashboards.users import add_user

PII_KEY = "cd" * 32
VERSION_CREDIT = "20250930T000000Z-fixture"

USERS = {
    "analyst": Viewer("analyst", "analyst"),
    "risk": Viewer("risk", "risk"),
    "compliance": Viewer("compliance", "compliance"),
    "management": Viewer("management", "management"),
    "agency-AG01": Viewer("agency-AG01", "agency", "AG01"),
    "agency-AG02": Viewer("agency-AG02", "agency", "AG02"),
}


def password(username: str) -> str:
    return f"{username}-password"


# employee_id, role, business_line, stage, agency_id, team_id, team_name, device
EMPLOYEES = [
    ("E00001", "sales_rep", "consumer", None, None, "T001", "消费金融销售一组", "WP000001"),
    ("E00002", "sales_rep", "auto", None, None, "T002", "汽车金融销售一组", "WP000002"),
    ("E00010", "collector", None, "M1", None, "T010", "自营催收M1组", "WP000010"),
    ("E00020", "collector", None, "M2", "AG01", "T020", "远航M2组", "WP000020"),
    ("E00021", "field_agent", None, "M2", "AG01", "T020", "远航M2组", "WP000021"),
    ("E00030", "collector", None, "M2", "AG02", "T030", "恒信M2组", "WP000030"),
    ("E00031", "field_agent", None, "M3plus", "AG02", "T030", "恒信M2组", "WP000031"),
]

# Chats: (message_id, employee, peer_id, direction, text, sent_at). MSG000000003 carries a phone
# number, which ingestion redacts in the lake; MSG000000099 has no sent_at and is quarantined.
MESSAGES = [
    ("MSG000000001", "E00001", "wxid_abcdef123456", "received", "你们的利息怎么算？",
     "2025-08-01T10:00:00+08:00"),
    ("MSG000000002", "E00001", "wxid_abcdef123456", "sent", "利息很低的，具体不方便说。",
     "2025-08-01T10:01:00+08:00"),
    ("MSG000000003", "E00001", "wxid_abcdef123456", "received", "我的手机号是13812345678",
     "2025-08-01T10:02:00+08:00"),
    ("MSG000000011", "E00030", "wxid_debtor777888", "sent", "你再不还钱试试看！",
     "2025-08-01T11:00:00+08:00"),
    ("MSG000000012", "E00030", "wxid_debtor777888", "received", "我下周还钱。",
     "2025-08-01T11:05:00+08:00"),
]

CALL_WITH_RECORDING = "CALL000000001"
RECORDING_REF = "devices/recordings/2025-08-01/CALL000000001.wav"
# CALL000000010 (E00020, answered) was recorded but is not transcribed yet.
UNTRANSCRIBED_REF = "devices/recordings/2025-08-02/CALL000000010.wav"
RECORDING_RATE = 8000
RECORDING_SECONDS = 8.0
# Transcript of CALL000000001 (collector E00020 of AG01): utterance 1 is the flagged threat,
# utterance 2 held the customer's number (redacted when transcribed).
TRANSCRIPT = [
    (0, "agent", 0.0, 1.5, "您好，这里是贷后中心。"),
    (1, "agent", 2.0, 4.0, "再不还钱就上门找你家人。"),
    (2, "customer", 4.5, 6.0, "我的电话是[手机号]"),
]
CALL_REMOTE_NUMBER = "13987654321"

# The loans export (GBK): customer CU00000001 is 袁辉, 18745073899.
LOAN = {"loan_id": "LN00000001", "customer_id": "CU00000001", "lead_id": "",
        "business_line": "consumer", "product": "消费分期", "principal_cny": "30000.0",
        "apr": "0.18", "term_months": "12", "installment_cny": "2750.36",
        "disbursed_at": "2025-03-01 10:00:00", "customer_name": "袁辉",
        "customer_phone": "18745073899", "id_number": "360702197708273085",
        "bank_card": "6224527473688751", "bureau_score": "600",
        "stated_monthly_income": "8200", "age": "48", "employment_type": "salaried",
        "city": "赣州", "home_lat": "25.752495", "home_lon": "114.960617",
        "emergency_contact_phone": "16686957655", "emergency_contact_relation": "朋友"}

# Field visits of 2025-08-05 by E00021 (AG01) around the address (30.0, 120.0): the first
# check-in 35 m away with the track passing by, the second 1.5 km away, fake.
ADDRESS = (30.0, 120.0)


def build(home: Path) -> Path:
    """Write the whole home under ``home``; return it."""
    raw = home / "raw"
    _raw_captures(raw)
    from ingestion.ingest import ingest
    from workphone.settings import Settings

    settings = Settings(home=home, pii_key_hex=PII_KEY)
    ingest(settings, feeds=["employees", "messages", "calls", "gps_pings", "loans"])
    _transcripts(home / "lake")
    with duckdb.connect(str(settings.warehouse_path)) as con:
        for schema in ("marts", "ml"):
            con.execute(f"create schema if not exists {schema}")
        for name, (columns, rows) in TABLES.items():
            _table(con, name, columns, rows)
    _model_registry(home / "models")
    _dbt_artifacts(home / "dbt" / "target")
    from search_index.build import build_index

    build_index(settings)
    for username, viewer in USERS.items():
        add_user(settings.users_path, viewer, password(username))
    return home


def _jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def _uploaded(at: str) -> str:
    return (dt.datetime.fromisoformat(at) + dt.timedelta(seconds=20)).isoformat()


def _raw_captures(raw: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["employee_id", "role", "business_line", "stage", "agency_id", "team_id",
                     "team_name", "name", "work_phone", "device_id", "hired_at"])
    for n, (emp, role, line, stage, agency, team, team_name, device) in enumerate(EMPLOYEES):
        writer.writerow([emp, role, line or "", stage or "", agency or "", team, team_name,
                         "王小明", f"1380000{n:04d}", device, "2024-01-02"])
    (raw / "exports" / "employees").mkdir(parents=True)
    (raw / "exports" / "employees" / "employees_2025-07-01.csv").write_text(out.getvalue(),
                                                                            "utf-8")

    messages = [{"message_id": m, "device_id": "WP0000" + e[-2:], "employee_id": e,
                 "app": "wechat", "peer_id": peer, "direction": d, "msg_type": "text",
                 "text": text, "sent_at": at, "uploaded_at": _uploaded(at)}
                for m, e, peer, d, text, at in MESSAGES]
    broken = dict(messages[-1], message_id="MSG000000099")
    del broken["sent_at"]
    by_device: dict[str, list[dict]] = {}
    for record in [*messages, broken]:
        by_device.setdefault(record["device_id"], []).append(record)
    for device, records in by_device.items():
        _jsonl(raw / "devices" / "messages" / "2025-08-01" / f"{device}_2025-08-01.jsonl",
               records)

    t = np.arange(int(RECORDING_SECONDS * RECORDING_RATE)) / RECORDING_RATE
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    sha256 = {}
    for ref in (RECORDING_REF, UNTRANSCRIBED_REF):
        (raw / ref).parent.mkdir(parents=True)
        soundfile.write(raw / ref, np.stack([tone, tone], axis=1), RECORDING_RATE,
                        subtype="PCM_16")
        sha256[ref] = hashlib.sha256((raw / ref).read_bytes()).hexdigest()
    calls = [_call(CALL_WITH_RECORDING, "E00020", "2025-08-01T15:00:00+08:00", True,
                   RECORDING_REF, sha256[RECORDING_REF]),
             # E00020's other dials at 10:00: 1 of 4 answered; E00030's unanswered call.
             _call("CALL000000010", "E00020", "2025-08-02T10:10:00+08:00", True,
                   UNTRANSCRIBED_REF, sha256[UNTRANSCRIBED_REF]),
             *[_call(f"CALL00000001{i}", "E00020", f"2025-08-02T10:1{i}:00+08:00", False)
               for i in range(1, 4)],
             _call("CALL000000021", "E00030", "2025-08-01T22:30:00+08:00", False)]
    for call in calls:
        device, day = call["device_id"], call["started_at"][:10]
        path = raw / "devices" / "calls" / day / f"{device}_{day}.jsonl"
        existing = path.read_text("utf-8") if path.exists() else ""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(existing + json.dumps(call) + "\n", "utf-8")

    pings = []
    track = [("2025-08-05T09:40:00+08:00", 30.0020, 120.0010),
             ("2025-08-05T09:58:00+08:00", 30.0003, 120.0002),
             ("2025-08-05T10:20:00+08:00", 30.0100, 120.0050),
             ("2025-08-05T11:05:00+08:00", 30.0120, 120.0060)]
    for n, (at, lat, lon) in enumerate(track):
        pings.append({"ping_id": f"GPS{n + 1:09d}", "device_id": "WP000021",
                      "employee_id": "E00021", "recorded_at": at, "lat": lat, "lon": lon,
                      "accuracy_m": 10, "uploaded_at": _uploaded(at)})
    _jsonl(raw / "devices" / "gps_pings" / "2025-08-05" / "WP000021_2025-08-05.jsonl", pings)

    loans = raw / "exports" / "loans" / "loans_2025-03-01.csv"
    loans.parent.mkdir(parents=True)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(LOAN), lineterminator="\n")
    writer.writeheader()
    writer.writerow(LOAN)
    loans.write_bytes(out.getvalue().encode("gbk"))


def _call(call_id: str, employee: str, at: str, answered: bool, recording: str | None = None,
          sha256: str | None = None) -> dict:
    start = dt.datetime.fromisoformat(at)
    talk = int(RECORDING_SECONDS) if answered else 0
    return {"call_id": call_id, "device_id": "WP0000" + employee[-2:], "employee_id": employee,
            "local_number": "13800000099",
            "remote_number": CALL_REMOTE_NUMBER if recording else "13700000001",
            "direction": "outbound", "started_at": at,
            "answered_at": (start + dt.timedelta(seconds=5)).isoformat() if answered else None,
            "ended_at": (start + dt.timedelta(seconds=5 + talk + 20)).isoformat(),
            "duration_s": talk, "recording_ref": recording,
            "recording_duration_s": RECORDING_SECONDS if recording else None,
            "recording_channels": 2 if recording else None,
            "recording_sample_rate": RECORDING_RATE if recording else None,
            "recording_sha256": sha256, "uploaded_at": _uploaded(at)}


def _transcripts(lake: Path) -> None:
    """lake/transcripts as speech recognition writes it (the columns conversations read)."""
    folder = lake / "transcripts" / "dt=2025-08-01"
    folder.mkdir(parents=True)
    rows = ", ".join(f"('{CALL_WITH_RECORDING}', {i}, '{speaker}', {start}, {end}, '{text}')"
                     for i, speaker, start, end, text in TRANSCRIPT)
    with duckdb.connect() as con:
        con.execute(f"""copy (select * from (values {rows})
            v(call_id, utterance_index, speaker, start_s, end_s, text))
            to '{folder / "part-0.parquet"}' (format parquet)""")


def _table(con: duckdb.DuckDBPyConnection, name: str, columns: str, rows: list[tuple]) -> None:
    con.execute(f"create or replace table {name} ({columns})")
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"insert into {name} values ({marks})", rows)


def _model_registry(models: Path) -> None:
    folder = models / "credit" / VERSION_CREDIT
    folder.mkdir(parents=True)
    report = {"version": VERSION_CREDIT,
              "discrimination": {"full_model": {"auc": 0.6823, "gini": 0.3646, "ks": 0.2781},
                                 "bureau_only": {"auc": 0.6441, "gini": 0.2882, "ks": 0.2225}},
              "auc_gain_over_bureau_only": 0.0382,
              "calibration": [{"band": "540-570", "rows": 207, "bad_rate": 0.1014,
                               "predicted": 0.0945}],
              "psi": {"2025Q1->2025Q2": {"score": 0.0257, "bureau_score": 0.0262}},
              "claim": {"definition": "weak bureau, strong communication", "group_rows": 54}}
    (folder / "validation.json").write_text(json.dumps(report), "utf-8")


def _dbt_artifacts(target: Path) -> None:
    target.mkdir(parents=True)
    daily = {"warn_after": {"count": 26, "period": "hour"},
             "error_after": {"count": 52, "period": "hour"}}
    sources = {f"source.workphone.lake.{feed}": {"source_name": "lake", "name": feed,
                                                 "freshness": daily}
               for feed in ("calls", "messages", "gps_pings", "employees", "loans")}
    (target / "manifest.json").write_text(json.dumps({"sources": sources}), "utf-8")
    results = [{"unique_id": "test.workphone.unique_fct_calls_call_id.1", "status": "pass"},
               {"unique_id": "test.workphone.not_null_fct_calls_call_id.2", "status": "pass"},
               {"unique_id": "test.workphone.relationships_fct_calls_employee_id.3",
                "status": "warn", "failures": 2, "message": "Got 2 results"}]
    (target / "run_results.json").write_text(json.dumps({"results": results}), "utf-8")


TS = dt.datetime.fromisoformat
D = dt.date.fromisoformat

# name → (columns, rows). Only what the pages read.
TABLES: dict[str, tuple[str, list[tuple]]] = {
    "marts.dim_agencies": ("agency_id varchar, agency_name varchar", [
        ("AG01", "远航资产管理有限公司"), ("AG02", "恒信催收服务有限公司")]),
    "marts.dim_employees": (
        "employee_id varchar, role varchar, business_line varchar, stage varchar, "
        "team_id varchar, team_name varchar, agency_id varchar, handler_type varchar",
        [(e, role, line, stage, team, team_name, agency, "agency" if agency else "in_house")
         for e, role, line, stage, agency, team, team_name, _ in EMPLOYEES]),
    "marts.dim_customers": (
        "customer_id varchar, customer_phone_masked varchar, customer_name_masked varchar, "
        "city varchar, age bigint, employment_type varchar, stated_monthly_income bigint, "
        "bureau_score bigint, first_disbursed_at timestamp, loans bigint",
        [("CU00000001", "187****3899", "袁*", "赣州", 48, "salaried", 8200, 600,
          TS("2025-03-01 10:00"), 1),
         ("CU00000002", "135****0002", "李*", "杭州", 35, "self_employed", 12000, 560,
          TS("2025-03-02 10:00"), 1),
         ("CU00000003", "136****0003", "张*", "长沙", 29, "gig_worker", 6000, 520,
          TS("2025-03-03 10:00"), 1)]),
    "marts.fct_loans": ("loan_id varchar, customer_id varchar", [
        ("LN00000001", "CU00000001"), ("LN00000002", "CU00000002"),
        ("LN00000003", "CU00000003")]),
    "marts.dim_channels": (
        "channel_key varchar, business_line varchar, channel varchar, channel_name_zh varchar, "
        "channel_name_en varchar",
        [("consumer:short_video", "consumer", "short_video", "短视频信息流", "Short-video feeds"),
         ("consumer:offline_scene", "consumer", "offline_scene", "线下场景", "Offline scenes")]),
    "marts.rpt_kpi_quarterly": (
        "kpi varchar, label_en varchar, label_zh varchar, unit varchar, better varchar, "
        "sort_order integer, business_line varchar, baseline_quarter varchar, q1_value double, "
        "report_quarter varchar, q3_value double, change double, relative_change double",
        [("sales_compliance_rate", "Sales script compliance rate", "销售话术合规率", "rate",
          "higher", 1, "consumer", "2025Q1", 0.7312, "2025Q3", 0.8964, 0.1652, 0.1652 / 0.7312),
         ("cac_cny", "Customer acquisition cost", "获客成本", "CNY", "lower", 2, "auto",
          "2025Q1", 1632.4, "2025Q3", 1628.0, -4.4, -4.4 / 1632.4)]),
    "marts.rpt_kpi_by_quarter": (
        "kpi varchar, business_line varchar, quarter varchar, value double",
        [("sales_compliance_rate", "consumer", "2025Q1", 0.7312),
         ("sales_compliance_rate", "consumer", "2025Q2", 0.8100),
         ("sales_compliance_rate", "consumer", "2025Q3", 0.8964),
         ("cac_cny", "auto", "2025Q1", 1632.4), ("cac_cny", "auto", "2025Q3", 1628.0)]),
    "marts.rpt_channel_efficiency": (
        "business_line varchar, channel varchar, quarter varchar, leads bigint, customers bigint,"
        " customer_share double, spend_cny double, cac_cny double, conversion_rate double, "
        "interest_income_cny double, roi double, sales_conversations bigint, "
        "avg_first_response_s double, quick_response_share double, avg_rounds double, "
        "avg_turns double, demand_keywords_per_conversation double, demand_keyword_rate double, "
        "high_intent_share double, wait_and_see_share double, objection_rate double, "
        "low_rate_pitch_share double, avg_hostility_score double, conversations_per_lead double,"
        " efficiency_score double",
        [("consumer", "short_video", "2025Q3", 1000, 30, 0.6, 60000.0, 2000.0, 0.03, 90000.0,
          0.5, 400, 95.0, 0.72, 4.2, 9.1, 1.3, 0.55, 0.21, 0.33, 0.28, 0.61, 0.12, 0.4, 112.4),
         ("consumer", "offline_scene", "2025Q3", 500, 20, 0.4, 20000.0, 1000.0, 0.04, 44000.0,
          1.2, 200, 120.0, 0.64, 3.8, 8.0, 1.1, 0.50, 0.18, 0.36, 0.31, 0.55, 0.10, 0.4, 87.6),
         ("consumer", "short_video", "2025Q2", 900, 27, 0.6, 56000.0, 2074.07, 0.03, 80000.0,
          0.43, 380, 97.0, 0.70, 4.1, 9.0, 1.2, 0.54, 0.20, 0.34, 0.29, 0.60, 0.12, 0.42,
          110.0)]),
    "marts.rpt_product_demand": (
        "keyword varchar, city_tier bigint, quarter varchar, mentions bigint, "
        "sales_conversations bigint, mention_share double, mentions_qoq_change double",
        [("装修分期", 1, "2025Q3", 40, 400, 0.1, 0.25),
         ("短期免息", 2, "2025Q3", 18, 300, 0.06, -0.1)]),
    # Rate disclosure: 2 sales chats, 1 breach; privacy: AG01's call (no breach) and AG02's
    # chat (breach).
    "marts.rpt_regulatory_archive": (
        "requirement varchar, requirement_zh varchar, communication_id varchar, "
        "agency_id varchar, quarter varchar, outcome varchar",
        [("rate_disclosure", "利率披露", "chat:MSG000000001", None, "2025Q3", "breach"),
         ("rate_disclosure", "利率披露", "chat:MSG000000100", None, "2025Q3",
          "no_breach_found"),
         ("privacy_protection", "隐私保护", "call:CALL000000001", "AG01", "2025Q3",
          "no_breach_found"),
         ("privacy_protection", "隐私保护", "chat:MSG000000011", "AG02", "2025Q3", "breach")]),
    "marts.rpt_script_compliance": (
        "business_line varchar, quarter varchar, conversations_checked bigint, "
        "compliant_conversations bigint, compliance_rate double, "
        "violating_conversations bigint, share_rate_concealment double, "
        "share_intermediary_fee_hint double, share_false_limit_promise double, "
        "share_off_book_transaction double, share_abusive_language double, "
        "sales_complaint_rate double, findings bigint, findings_rectified bigint, "
        "median_hours_to_rectify double",
        [("consumer", "2025Q3", 200, 180, 0.9, 20, 0.4, 0.1, 0.3, 0.1, 0.1, 0.01, 25, 5, 12.0),
         ("auto", "2025Q3", 100, 95, 0.95, 5, 0.2, 0.2, 0.2, 0.2, 0.2, 0.02, 6, 1, 30.0)]),
    "marts.rpt_script_compliance_by_team": (
        "team_id varchar, team_name varchar, business_line varchar, quarter varchar, "
        "sales_reps bigint, conversations_checked bigint, compliance_rate double, "
        "violating_conversations bigint, findings bigint, findings_open bigint, "
        "median_hours_to_rectify double",
        [("T001", "消费金融销售一组", "consumer", "2025Q3", 1, 200, 0.9, 20, 25, 20, 12.0),
         ("T002", "汽车金融销售一组", "auto", "2025Q3", 1, 100, 0.95, 5, 6, 5, 30.0)]),
    # E00001: 4 checked sales conversations, 1 violating (75%); E00002: 2, none (100%);
    # a sales conversation without turns is not checked.
    "marts.fct_conversations": (
        "conversation_id varchar, medium varchar, context varchar, started_at timestamp, "
        "quarter varchar, employee_id varchar, team_id varchar, team_name varchar, "
        "business_line varchar, handler_type varchar, agency_id varchar, customer_id varchar, "
        "turns bigint, has_violation boolean",
        [("chat:MSG000000001", "chat", "sales", TS("2025-08-01 10:00"), "2025Q3", "E00001",
          "T001", "消费金融销售一组", "consumer", "in_house", None, "CU00000001", 3, True),
         *[(f"chat:MSG00000010{i}", "chat", "sales", TS("2025-08-02 10:00"), "2025Q3",
            "E00001", "T001", "消费金融销售一组", "consumer", "in_house", None, None, 2, False)
           for i in range(3)],
         ("chat:MSG000000200", "chat", "sales", TS("2025-08-02 11:00"), "2025Q3", "E00001",
          "T001", "消费金融销售一组", "consumer", "in_house", None, None, 0, False),
         *[(f"chat:MSG00000030{i}", "chat", "sales", TS("2025-08-03 10:00"), "2025Q3",
            "E00002", "T002", "汽车金融销售一组", "auto", "in_house", None, None, 4, False)
           for i in range(2)],
         ("call:CALL000000001", "call", "collection", TS("2025-08-01 15:00"), "2025Q3",
          "E00020", "T020", "远航M2组", None, "agency", "AG01", "CU00000002", 3, True),
         ("chat:MSG000000011", "chat", "collection", TS("2025-08-01 11:00"), "2025Q3",
          "E00030", "T030", "恒信M2组", None, "agency", "AG02", "CU00000003", 2, True)]),
    # Queue: open 1, acknowledged 1, rectified 2 (6 h and 10 h: median 8 h). AG01 sees F2 only,
    # AG02 F3 and F4.
    "marts.fct_compliance_findings": (
        "finding_id varchar, kind varchar, label varchar, rule_id varchar, "
        "rule_version varchar, severity varchar, score double, conversation_id varchar, "
        "medium varchar, context varchar, source_id varchar, utterance_index bigint, "
        "utterance_start_s double, utterance_end_s double, evidence varchar, "
        "employee_id varchar, team_name varchar, agency_id varchar, occurred_at timestamp, "
        "quarter varchar, detected_at timestamp, status varchar, acknowledged_at timestamp, "
        "rectified_at timestamp, hours_to_rectify double",
        [("F0000000000000000001", "content", "rate_concealment", "S-RATE-01", "3", "high",
          None, "chat:MSG000000001", "chat", "sales", "MSG000000002", 1, None, None,
          "具体不方便说", "E00001", "消费金融销售一组", None, TS("2025-08-01 10:01"), "2025Q3",
          TS("2025-08-01 12:00"), "open", None, None, None),
         ("F0000000000000000002", "content", "threat_intimidation", "C-THREAT-02", "3",
          "critical", None, "call:CALL000000001", "call", "collection", "CALL000000001", 1,
          2.0, 4.0, "上门找你家人", "E00020", "远航M2组", "AG01", TS("2025-08-01 15:00:02"),
          "2025Q3", TS("2025-08-01 16:00"), "acknowledged", TS("2025-08-02 09:00"), None,
          None),
         ("F0000000000000000003", "content", "abusive_language", "C-ABUSE-01", "3", "high",
          0.91, "chat:MSG000000011", "chat", "collection", "MSG000000011", 0, None, None,
          "你再不还钱试试看", "E00030", "恒信M2组", "AG02", TS("2025-08-01 11:00"), "2025Q3",
          TS("2025-08-01 12:00"), "rectified", TS("2025-08-01 14:00"), TS("2025-08-01 18:00"),
          6.0),
         ("F0000000000000000004", "conduct", None, "quiet_hours", "1", "medium", None,
          "call:CALL000000021", "call", "collection", "CALL000000021", None, None, None,
          "22:30 call", "E00030", "恒信M2组", "AG02", TS("2025-08-01 22:30"), "2025Q3",
          TS("2025-08-02 08:00"), "rectified", TS("2025-08-02 09:00"), TS("2025-08-02 18:00"),
          10.0)]),
    "marts.fct_calls": (
        "call_id varchar, employee_id varchar, direction varchar, remote_number_masked varchar,"
        " started_at timestamp, is_answered boolean, duration_s bigint, call_hour integer, "
        "recording_ref varchar",
        [(CALL_WITH_RECORDING, "E00020", "outbound", "139****4321", TS("2025-08-01 15:00"),
          True, 8, 15, RECORDING_REF),
         ("CALL000000010", "E00020", "outbound", "139****4321", TS("2025-08-02 10:10"), True,
          8, 10, UNTRANSCRIBED_REF),
         *[(f"CALL00000001{i}", "E00020", "outbound", "137****0001", TS("2025-08-02 10:10"),
            False, 0, 10, None) for i in range(1, 4)],
         ("CALL000000021", "E00030", "outbound", "137****0001", TS("2025-08-01 22:30"), False,
          0, 22, None)]),
    "marts.fct_messages": ("message_id varchar, peer_id_masked varchar", [
        ("MSG000000001", "wxid_****3456"), ("MSG000000011", "wxid_****7888")]),
    # Recovery over matured assignments: M1 600 / 1000 = 60%; M2 (500 + 1500 + 1000) / (2000 +
    # 3000 + 4000) = 33.3%; M3plus 0 / 5000 = 0%. AG01: M2 2000 / 5000 = 40%. AG02: M2 25%.
    "marts.fct_collection_cases": (
        "assignment_id varchar, case_id varchar, loan_id varchar, stage varchar, "
        "handler_type varchar, agency_id varchar, collector_id varchar, quarter varchar, "
        "dpd_at_entry bigint, overdue_amount_cny double, is_matured boolean, "
        "recovered_amount_cny double",
        [("A1", "K1", "LN00000001", "M1", "in_house", None, "E00010", "2025Q3", 5, 1000.0,
          True, 600.0),
         ("A2", "K1", "LN00000001", "M2", "agency", "AG01", "E00020", "2025Q3", 31, 2000.0,
          True, 500.0),
         ("A3", "K2", "LN00000002", "M2", "agency", "AG01", "E00020", "2025Q3", 35, 3000.0,
          True, 1500.0),
         ("A4", "K3", "LN00000003", "M2", "agency", "AG02", "E00030", "2025Q3", 40, 4000.0,
          True, 1000.0),
         ("A5", "K4", "LN00000003", "M3plus", "agency", "AG02", "E00030", "2025Q3", 91,
          5000.0, True, 0.0),
         ("A6", "K5", "LN00000002", "M1", "in_house", None, "E00010", "2025Q3", 3, 800.0,
          False, 100.0)]),
    "marts.rpt_collection_stage": (
        "stage varchar, quarter varchar, handler_type varchar, cases bigint, "
        "matured_cases bigint, recovery_rate double, complaint_rate double, "
        "compliance_rate double, contacts_per_handler_day double, cost_per_account_cny double",
        [("M2", "2025Q3", "in_house", 40, 35, 0.36, 0.01, 0.98, 41.5, 412.0),
         ("M2", "2025Q3", "agency", 60, 50, 0.31, 0.03, 0.93, 55.0, 486.0),
         ("M2", "2025Q3", "all", 100, 85, 0.33, 0.02, 0.95, 48.0, 455.0)]),
    "marts.rpt_agency_scorecard": (
        "agency_id varchar, agency_name varchar, quarter varchar, cases bigint, "
        "matured_cases bigint, recovery_rate double, complaint_rate double, "
        "violations_per_1000_contacts double, contact_compliance_rate double, "
        "field_visits bigint, fake_visits bigint, fake_visit_rate double, "
        "commission_coefficient double",
        [("AG01", "远航资产管理有限公司", "2025Q3", 2, 2, 0.4, 0.0, 12.5, 0.94, 2, 1, 0.5, 0.98),
         ("AG02", "恒信催收服务有限公司", "2025Q3", 2, 2, 0.111, 0.5, 40.0, 0.81, 1, 1, 1.0,
          0.7)]),
    "marts.rpt_field_visits": (
        "employee_id varchar, visit_date date, quarter varchar, agency_id varchar, "
        "handler_type varchar, visits bigint, fake_visits bigint, visits_without_gps bigint, "
        "median_checkin_distance_m double",
        [("E00021", D("2025-08-05"), "2025Q3", "AG01", "agency", 2, 1, 0, 767.5),
         ("E00031", D("2025-08-06"), "2025Q3", "AG02", "agency", 1, 1, 1, 2400.0)]),
    "marts.fct_field_visits": (
        "checkin_id varchar, case_id varchar, employee_id varchar, agency_id varchar, "
        "checked_in_at timestamp, visit_date date, quarter varchar, result varchar, "
        "checkin_lat double, checkin_lon double, address_lat double, address_lon double, "
        "checkin_distance_m double, nearest_ping_distance_m double, pings_in_window bigint, "
        "is_fake_visit boolean",
        [("CI1", "K2", "E00021", "AG01", TS("2025-08-05 10:00"), D("2025-08-05"), "2025Q3",
          "met_debtor", 30.0003, 120.0002, *ADDRESS, 35.0, 36.0, 2, False),
         ("CI2", "K1", "E00021", "AG01", TS("2025-08-05 11:00"), D("2025-08-05"), "2025Q3",
          "not_home", 30.0135, 120.0001, 30.02, 120.01, 1500.0, 1200.0, 2, True),
         ("CI3", "K3", "E00031", "AG02", TS("2025-08-06 15:00"), D("2025-08-06"), "2025Q3",
          "not_home", 28.1, 113.0, 28.12, 113.01, 2400.0, None, 0, True)]),
    # Plan of 2025-10-01: E00020 (AG01) cases K1 (A2: 10 h, 15 h) and K2 (A3: 10 h); E00030
    # (AG02) K3 (A4: 9 h). Model curve M2 at 10 h: (0.40 + 0.30) / 2 = 35%.
    "ml.call_time_recommendations": (
        "plan_date date, assignment_id varchar, case_id varchar, loan_id varchar, "
        "stage varchar, rank bigint, hour integer, window_start timestamp, "
        "window_end timestamp, p_answer double, p_promise double, p_reached double, "
        "expected_contacts double, expected_promises double, model_version varchar",
        [(D("2025-10-01"), "A2", "K1", "LN00000001", "M2", 1, 10, TS("2025-10-01 10:00"),
          TS("2025-10-01 11:00"), 0.40, 0.05, 1.0, 0.40, 0.05, "ct-fixture"),
         (D("2025-10-01"), "A2", "K1", "LN00000001", "M2", 2, 15, TS("2025-10-01 15:00"),
          TS("2025-10-01 16:00"), 0.20, 0.02, 1.0, 0.60, 0.07, "ct-fixture"),
         (D("2025-10-01"), "A3", "K2", "LN00000002", "M2", 1, 10, TS("2025-10-01 10:00"),
          TS("2025-10-01 11:00"), 0.30, 0.04, 1.0, 0.30, 0.04, "ct-fixture"),
         (D("2025-10-01"), "A4", "K3", "LN00000003", "M2", 1, 9, TS("2025-10-01 09:00"),
          TS("2025-10-01 10:00"), 0.25, 0.03, 1.0, 0.25, 0.03, "ct-fixture")]),
    # Scores 612, 548, 575: one application in each of the bands 540, 560 and 600; median 575.
    "ml.credit_scores": (
        "loan_id varchar, customer_id varchar, application_date date, bureau_score bigint, "
        "p_bad double, score double, reason_1_points double, reason_1_zh varchar, "
        "reason_1_en varchar, reason_2_points double, reason_2_zh varchar, reason_2_en varchar,"
        " reason_3_points double, reason_3_zh varchar, reason_3_en varchar, "
        "model_version varchar, scored_as_of date",
        [("LN00000001", "CU00000001", D("2025-02-28"), 600, 0.05, 612.0, 8.5, "征信评分较高",
          "Strong bureau score", 4.0, "回复及时", "Replies quickly", 1.5, "无敌意",
          "No hostility", VERSION_CREDIT, D("2025-09-30")),
         ("LN00000002", "CU00000002", D("2025-03-01"), 560, 0.18, 548.0, -12.0, "收入夸大",
          "Income overstated", -6.0, "抗拒还款计划", "Resists the repayment plan", None,
          None, None, VERSION_CREDIT, D("2025-09-30")),
         ("LN00000003", "CU00000003", D("2025-03-02"), 520, 0.11, 575.0, -3.0, "征信评分较低",
          "Weak bureau score", None, None, None, None, None, None, VERSION_CREDIT,
          D("2025-09-30"))]),
}


_built: list[Path] = []


@pytest.fixture(scope="session")
def dashboard_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The home, built once per test session whichever module asks first."""
    if not _built:
        _built.append(build(tmp_path_factory.mktemp("dashboard") / "home"))
    return _built[0]
