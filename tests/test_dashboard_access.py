"""Access rules of the dashboard, enforced in its query layer: an agency sees its own agency's
cases, conversations and figures only, whatever page or filter it uses; filter values never
change a query's meaning; only compliance and risk see personal data in clear; every view of a
conversation or customer is logged."""

from __future__ import annotations

import datetime as dt
import io
import json
import math

import numpy as np
import pytest
import soundfile
from dashboard_world import (
    CALL_REMOTE_NUMBER,
    RECORDING_RATE,
    RECORDING_REF,
    UNTRANSCRIBED_REF,
    USERS,
    dashboard_home,  # noqa: F401
    password,
)

from dashboards.access import AccessDenied, Viewer
from dashboards.queries import (
    call_time,
    channels,
    collections,
    compliance,
    credit,
    evidence,
    health,
    overview,
    search,
)
from dashboards.users import UsersFileError, authenticate, init_users, load_users
from dashboards.warehouse import Warehouse
from workphone.settings import Settings

AG01 = USERS["agency-AG01"]
AG02 = USERS["agency-AG02"]
ANALYST = USERS["analyst"]
COMPLIANCE = USERS["compliance"]
HOSTILE = ["x' OR 1=1 --", "AG01' OR agency_id <> 'AG01", "%",
           "'; drop table marts.fct_calls; --"]
PLAN_DAY = dt.date(2025, 10, 1)


@pytest.fixture(scope="module")
def db(dashboard_home):  # noqa: F811
    warehouse = Warehouse(Settings(home=dashboard_home))
    yield warehouse
    warehouse.close()


def log_entries(db: Warehouse) -> list[dict]:
    path = db.settings.access_log_path
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_an_agency_sees_its_own_cases_and_figures_only(db):
    funnel = collections.stage_funnel(db, AG01).set_index("stage")
    assert list(funnel.index) == ["M2"]                          # AG01 holds A2 and A3 (M2)
    assert funnel.loc["M2", "cases"] == 2
    assert funnel.loc["M2", "recovery_rate"] == pytest.approx(2000 / 5000)
    assert set(collections.agency_scorecard(db, AG01)["agency_id"]) == {"AG01"}
    assert list(collections.field_agents(db, AG01)["employee_id"]) == ["E00021"]
    assert set(collections.visits(db, AG01)["checkin_id"]) == {"CI1", "CI2"}
    assert collections.visit_map(db, AG01, "CI3")[0].empty           # AG02's field agent
    assert list(call_time.collectors(db, AG01, PLAN_DAY)["collector_id"]) == ["E00020"]
    assert call_time.recommendations(db, AG01, PLAN_DAY, "E00030").empty   # AG02's collector
    curves = call_time.answer_curves(db, AG01).set_index(["stage", "hour"])
    assert curves["windows"].sum() == 3                          # A2 twice, A3 once; not A4
    assert curves.loc[("M2", 10), "observed_answer_rate"] == pytest.approx(1 / 4)
    assert curves["dials"].sum() == 5                            # E00020's calls only
    queue = compliance.queue(db, AG01)
    assert list(queue["finding_id"]) == ["F0000000000000000002"]
    assert compliance.queue_summary(db, AG02)["rectified"] == 2
    assert compliance.by_rep(db, AG01).empty                     # no sales reps in an agency
    archive = compliance.regulatory_archive(db, AG02)
    assert list(archive["requirement"]) == ["privacy_protection"]
    assert archive["breach_share"].iloc[0] == 1.0
    assert compliance.finding(db, AG01, "F0000000000000000003") is None
    assert evidence.conversation(db, AG01, "chat:MSG000000011") is None
    assert evidence.conversation(db, AG01, "call:CALL000000021") is None   # AG02's call
    assert evidence.conversation(db, AG01, "call:CALL000000001") is not None
    options = search.filter_options(db, AG01)
    assert options["employee_id"] == ["E00020", "E00021"] and options["agency_id"] == ["AG01"]
    hits = search.search(db, AG01, "还钱")
    assert set(hits["conversation_id"]) == {"call:CALL000000001"}
    assert search.search(db, AG02, "还钱")["conversation_id"].unique().tolist() == [
        "chat:MSG000000011"]


def test_an_agency_filtering_for_another_agency_gets_nothing(db):
    assert collections.agency_scorecard(db, AG01, agency_id="AG02").empty
    assert search.search(db, AG01, "还钱", search.SearchFilters(agency_id="AG02")).empty
    assert search.search(db, AG01, "还钱", search.SearchFilters(employee_id="E00030")).empty
    assert collections.visits(db, AG01, employee_id="E00031").empty


@pytest.mark.parametrize("call", [
    lambda db, v: overview.kpi_table(db, v),
    lambda db, v: overview.kpi_trends(db, v),
    lambda db, v: channels.channel_efficiency(db, v),
    lambda db, v: channels.product_demand(db, v),
    lambda db, v: compliance.by_line(db, v),
    lambda db, v: compliance.by_team(db, v),
    lambda db, v: collections.handler_comparison(db, v),
    lambda db, v: credit.score_distribution(db, v),
    lambda db, v: credit.customer(db, v, "CU00000001"),
    lambda db, v: credit.validation_report(db, v),
    lambda db, v: health.contract_checks(db, v),
    lambda db, v: health.quarantine_reasons(db, v),
], ids=["kpi", "trends", "channels", "demand", "by_line", "by_team", "handlers", "scores",
        "customer", "validation", "contracts", "quarantine"])
def test_an_agency_is_refused_lender_wide_figures(db, call):
    with pytest.raises(AccessDenied):
        call(db, AG01)


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("viewer", [ANALYST, AG01], ids=["analyst", "agency"])
def test_a_filter_value_never_changes_what_a_query_means(db, viewer, value):
    internal = not viewer.is_agency
    assert collections.stage_funnel(db, viewer, quarter=value).empty
    assert collections.agency_scorecard(db, viewer, quarter=value).empty
    assert collections.visits(db, viewer, employee_id=value).empty
    assert collections.visit_map(db, viewer, value)[0].empty
    assert compliance.queue(db, viewer, status=value).empty
    assert compliance.queue(db, viewer, severity=value, context=value).empty
    assert compliance.by_rep(db, viewer, quarter=value).empty
    assert compliance.finding(db, viewer, value) is None
    assert evidence.conversation(db, viewer, value) is None
    assert call_time.recommendations(db, viewer, PLAN_DAY, value).empty
    for field in ("stage", "employee_id", "team_id", "agency_id", "customer_type", "context"):
        filters = search.SearchFilters(**{field: value})
        assert search.search(db, viewer, "还钱", filters).empty, field
    assert search.search(db, viewer, value).empty                 # the query text itself
    if internal:
        assert channels.channel_efficiency(db, viewer, business_line=value).empty
        assert compliance.by_team(db, viewer, quarter=value).empty
        assert collections.handler_comparison(db, viewer, quarter=value).empty
        assert credit.customer(db, viewer, value)[0] is None
    assert db.rows("select count(*) from marts.fct_calls")[0][0] == 6


def test_masked_roles_see_placeholders_and_masked_numbers(db):
    chat = evidence.conversation(db, ANALYST, "chat:MSG000000001")
    assert list(chat.turns["text"]) == ["你们的利息怎么算？", "利息很低的，具体不方便说。",
                                        "我的手机号是[手机号]"]
    assert chat.customer == "wxid_****3456" and not chat.customer_in_clear
    call = evidence.conversation(db, USERS["management"], "call:CALL000000001")
    assert call.customer == "139****4321"
    assert list(call.turns["speaker"]) == ["agent", "agent", "customer"]


def test_compliance_and_risk_see_the_captured_originals(db):
    for viewer in (COMPLIANCE, USERS["risk"]):
        chat = evidence.conversation(db, viewer, "chat:MSG000000001")
        assert chat.turns["text"].iloc[2] == "我的手机号是13812345678"
        assert chat.customer == "wxid_abcdef123456" and chat.customer_in_clear
        call = evidence.conversation(db, viewer, "call:CALL000000001")
        assert call.customer == CALL_REMOTE_NUMBER


def _loudness(wav: bytes, start_s: float, end_s: float) -> float:
    audio, rate = soundfile.read(io.BytesIO(wav), dtype="int16", always_2d=True)
    assert rate == RECORDING_RATE
    part = audio[int(start_s * rate):int(end_s * rate)].astype(float)
    return float(np.sqrt((part ** 2).mean()))


def test_the_recording_is_muted_where_a_number_was_said_unless_unmasked(db, dashboard_home):  # noqa: F811
    masked = evidence.conversation(db, ANALYST, "call:CALL000000001").audio
    # Utterance 2 (4.5–6.0 s) held the customer's number: silent; the threat (2–4 s) plays.
    assert _loudness(masked, 4.5, 6.0) == 0
    assert _loudness(masked, 2.0, 4.0) > 1000 and _loudness(masked, 6.1, 8.0) > 1000
    clear = evidence.conversation(db, COMPLIANCE, "call:CALL000000001").audio
    assert clear == (dashboard_home / "raw" / RECORDING_REF).read_bytes()


def test_a_recording_not_yet_transcribed_plays_only_unmasked(db, dashboard_home):  # noqa: F811
    masked = evidence.conversation(db, ANALYST, "call:CALL000000010")
    assert masked.header["employee_id"] == "E00020" and masked.turns.empty   # the call record
    assert masked.audio is None and any("not transcribed" in n for n in masked.notes)
    clear = evidence.conversation(db, COMPLIANCE, "call:CALL000000010")
    assert clear.audio == (dashboard_home / "raw" / UNTRANSCRIBED_REF).read_bytes()


def test_every_view_of_a_conversation_or_customer_is_logged(db):
    before = len(log_entries(db)) if db.settings.access_log_path.exists() else 0
    evidence.conversation(db, AG01, "call:CALL000000001", reason="finding F2")
    credit.customer(db, USERS["risk"], "CU00000001")
    search.search(db, COMPLIANCE, "利息", search.SearchFilters(stage="M2"))
    assert evidence.conversation(db, AG01, "chat:MSG000000011") is None   # refused: not logged
    entries = log_entries(db)[before:]
    assert [(e["user"], e["role"], e["agency_id"], e["action"], e["target"]) for e in entries] == [
        ("agency-AG01", "agency", "AG01", "view_conversation", "call:CALL000000001"),
        ("risk", "risk", None, "view_customer", "CU00000001"),
        ("compliance", "compliance", None, "search", "利息"),
    ]
    assert entries[0]["reason"] == "finding F2" and entries[1]["unmasked"] is True
    assert entries[2]["filters"] == {"stage": "M2"} and entries[2]["results"] == 0
    assert all(dt.datetime.fromisoformat(e["at"]).tzinfo is not None for e in entries)


def test_the_customer_card_is_masked_but_for_risk(db):
    profile, scores = credit.customer(db, ANALYST, "CU00000001")
    assert (profile["name"], profile["phone"]) == ("袁*", "187****3899")
    assert list(scores["score"]) == [612.0]
    clear, _ = credit.customer(db, USERS["risk"], "CU00000001")   # from the GBK loans export
    assert (clear["name"], clear["phone"]) == ("袁辉", "18745073899")


def test_debtors_homes_are_relative_on_the_map_unless_unmasked(db):
    masked, track = collections.visit_map(db, ANALYST, "CI1")        # 10:00, address 30°, 120°
    assert (masked["address_lat"].iloc[0], masked["address_lon"].iloc[0]) == (0, 0)
    assert masked["checkin_lat"].iloc[0] == pytest.approx(0.0003)
    assert masked["checkin_lon"].iloc[0] == pytest.approx(0.0002 * math.cos(math.radians(30)))
    assert len(track) == 3                                   # 09:40, 09:58, 10:20 (± 45 min)
    assert track["lat"].max() == pytest.approx(0.01)
    clear, clear_track = collections.visit_map(db, COMPLIANCE, "CI1")
    assert (clear["address_lat"].iloc[0], clear["address_lon"].iloc[0]) == (30.0, 120.0)
    assert list(clear_track["lat"]) == pytest.approx([30.002, 30.0003, 30.01])


def test_sign_in_checks_the_argon2_hash(dashboard_home):  # noqa: F811
    users = load_users(Settings(home=dashboard_home).users_path)
    assert authenticate(users, "agency-AG01", password("agency-AG01")) == AG01
    assert authenticate(users, "agency-AG01", password("agency-AG02")) is None
    assert authenticate(users, "nobody", password("nobody")) is None
    text = Settings(home=dashboard_home).users_path.read_text("utf-8")
    assert "$argon2id$" in text and password("analyst") not in text


def test_users_init_writes_one_user_per_role_and_agency_with_hashes_only(tmp_path):
    path = tmp_path / "config" / "users.yaml"
    created = init_users(path, ["AG01", "AG02"])
    assert [(v.username, v.role, v.agency_id) for v, _ in created] == [
        ("analyst", "analyst", None), ("risk", "risk", None),
        ("compliance", "compliance", None), ("management", "management", None),
        ("agency-AG01", "agency", "AG01"), ("agency-AG02", "agency", "AG02")]
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text("utf-8")
    assert all(secret not in text for _, secret in created)
    users = load_users(path)
    assert all(authenticate(users, v.username, secret) == v for v, secret in created)


@pytest.mark.parametrize("entry, message", [
    ("- {username: a, role: analyst, password_hash: secret}", "argon2 hash"),
    ("- {username: a, role: agency, password_hash: $argon2id$x}", "agency_id"),
    ("- {username: a, role: boss, password_hash: $argon2id$x}", "unknown role"),
    ("- {username: a, role: risk, agency_id: AG01, password_hash: $argon2id$x}", "agency_id"),
])
def test_a_users_file_that_cannot_be_trusted_is_refused(tmp_path, entry, message):
    path = tmp_path / "users.yaml"
    path.write_text("users:\n  " + entry + "\n", "utf-8")
    with pytest.raises(UsersFileError, match=message):
        load_users(path)


def test_a_viewer_needs_a_known_role_and_an_agency_only_when_agency():
    with pytest.raises(ValueError):
        Viewer("x", "agency")
    assert not Viewer("a", "analyst").unmasked and Viewer("c", "compliance").unmasked
