"""Every page of the dashboard, for every role that may open it, run with Streamlit's AppTest on
the hand-written home: no exception, and the figures the home's rows give on screen."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dashboard_world import USERS, dashboard_home, password  # noqa: F401
from streamlit.testing.v1 import AppTest

from dashboards.access import PAGES
from workphone.settings import Settings

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "streamlit_app.py")
CASES = [(user, page) for user, viewer in USERS.items() for page in PAGES
         if viewer.may_open(page)]


@pytest.fixture(autouse=True)
def home(dashboard_home, monkeypatch):  # noqa: F811
    monkeypatch.setenv("WORKPHONE_HOME", str(dashboard_home))
    return dashboard_home


def open_page(user: str, page: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["viewer"] = USERS[user]
    app.switch_page(f"app_pages/{page}.py")
    return app.run()


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def text(app: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "warning", "info", "error", "title",
                                  "subheader") for e in getattr(app, kind)]
    return "\n".join(str(p) for p in parts)


def frame(app: AppTest, *columns: str) -> pd.DataFrame:
    """The first dataframe on the page that has these columns."""
    for element in app.dataframe:
        if set(columns) <= set(element.value.columns):
            return element.value
    raise AssertionError(f"no dataframe with {columns}")


@pytest.mark.parametrize("user, page", CASES, ids=[f"{u}-{p}" for u, p in CASES])
def test_page_runs_and_shows_the_homes_figures(user, page):
    app = open_page(user, page)
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    EXPECTATIONS[page](app, USERS[user])


def overview(app, viewer):
    table = frame(app, "KPI", "change").set_index("KPI")
    row = table.loc["销售话术合规率 Sales script compliance rate"]
    assert (row["2025Q1"], row["2025Q3"], row["change"]) == ("73.1%", "89.6%", "+16.5 pt")
    cac = table.loc["获客成本 Customer acquisition cost"]
    assert (cac["2025Q1"], cac["2025Q3"], cac["change"]) == ("¥1,632", "¥1,628", "−¥4")


def channels_page(app, viewer):
    assert metrics(app)["Most efficient channel, 2025Q3"] == "短视频信息流 Short-video feeds"
    table = frame(app, "channel_name", "cac_cny").set_index("channel_name")
    assert table.loc["短视频信息流 Short-video feeds", "cac_cny"] == 2000
    assert table.loc["线下场景 Offline scenes", "conversion_rate"] == 0.04
    assert "1 首次响应 first response (s)" in frame(app, "短视频信息流 Short-video feeds").index


def sales_compliance(app, viewer):
    shown = metrics(app)
    if viewer.is_agency:
        own = {"AG01": ("0", "1", "0", "–"), "AG02": ("0", "0", "2", "8.0")}[viewer.agency_id]
        assert "消费金融 consumer 2025Q3" not in shown
        assert "an agency sees only its own figures" in text(app)
        queue = frame(app, "finding_id", "status")
        assert set(queue["agency_id"]) == {viewer.agency_id}
    else:
        own = ("1", "1", "2", "8.0")
        assert shown["消费金融 consumer 2025Q3"] == "90.0%"
        assert shown["汽车金融 auto 2025Q3"] == "95.0%"
        reps = frame(app, "employee_id", "compliance_rate").set_index("employee_id")
        assert reps.loc["E00001", "compliance_rate"] == 0.75
        assert reps.loc["E00002", "compliance_rate"] == 1.0
        archive = frame(app, "requirement", "breach_share").set_index("requirement")
        assert archive.loc["rate_disclosure", "breach_share"] == 0.5
    assert (shown["Open"], shown["Acknowledged"], shown["Rectified"],
            shown["Median hours to rectify"]) == own


def collections_page(app, viewer):
    shown = metrics(app)
    if viewer.agency_id == "AG01":
        assert shown == {"M2: 2 cases": "40.0%"}
        assert "an agency sees only its own figures" in text(app)
        assert set(frame(app, "agency_id", "commission_coefficient")["agency_id"]) == {"AG01"}
    elif viewer.agency_id == "AG02":
        assert shown == {"M2: 1 cases": "25.0%", "M3plus: 1 cases": "0.0%"}
    else:
        assert shown == {"M1: 2 cases": "60.0%", "M2: 3 cases": "33.3%",
                         "M3plus: 1 cases": "0.0%"}
        handlers = frame(app, "handler_type", "cost_per_account_cny")
        assert list(handlers["handler_type"]) == ["agency", "all", "in_house"]
        assert list(handlers["cost_per_account_cny"]) == [486.0, 455.0, 412.0]
    assert app.get("deck_gl_json_chart"), "the field-visit map"


def best_time_to_call(app, viewer):
    shown = metrics(app)
    if viewer.agency_id == "AG02":                       # E00030: case K3, one window
        assert (shown["Open cases"], shown["Planned dials"]) == ("1", "1")
    else:                                                # E00020: K1 (2 windows), K2 (1)
        assert (shown["Open cases"], shown["Planned dials"]) == ("2", "3")
        assert shown["Expected contacts"] == "0.9"       # 0.60 (K1) + 0.30 (K2)
    curves = frame(app, "model_p_answer", "observed_answer_rate").set_index(["stage", "hour"])
    if viewer.agency_id == "AG02":                       # A4 at 9 h; E00030's call at 22 h
        assert curves.loc[("M2", 9), "model_p_answer"] == pytest.approx(0.25)
        assert curves.loc[("M2", 22), "observed_answer_rate"] == 0
    else:
        assert curves.loc[("M2", 10), "model_p_answer"] == pytest.approx(0.35)  # (0.4 + 0.3) / 2
        assert curves.loc[("M2", 10), "observed_answer_rate"] == pytest.approx(0.25)  # 1 of 4
    assert app.selectbox[0].value.isoformat() == "2025-10-01"


def credit_page(app, viewer):
    shown = metrics(app)
    assert (shown["Applications scored"], shown["Median score"],
            shown["Mean predicted bad rate"]) == ("3", "575", "11.3%")
    assert shown["AUC gain over the bureau-only model"] == "+0.038"


def search_page(app, viewer):
    app.text_input[0].input("还钱").run()
    assert not app.exception
    found = {"AG01": 1, "AG02": 2}.get(viewer.agency_id, 3)
    assert f"{found} best matches" in text(app)
    results = frame(app, "conversation_id", "score")
    if viewer.is_agency:
        assert set(results["agency_id"]) == {viewer.agency_id}


def data_health(app, viewer):
    shown = metrics(app)
    assert shown["Records read"] == "24"          # 7 employees, 6 + 1 messages, 6 calls, ...
    assert shown["Quarantined"] == "1"            # the message without sent_at
    assert shown["Feeds with every record accounted for"] == "5 of 5"
    assert shown["Feeds past their freshness SLA"] == "0 of 5"
    assert (shown["pass"], shown["warn"]) == ("2", "1")
    reasons = frame(app, "reason", "records")
    assert list(reasons["reason"]) == ["sent_at: required but missing"]


EXPECTATIONS = {"overview": overview, "channels": channels_page,
                "sales_compliance": sales_compliance, "collections": collections_page,
                "best_time_to_call": best_time_to_call, "credit": credit_page,
                "search": search_page, "data_health": data_health}


@pytest.mark.parametrize("user, customer", [("analyst", "`袁*` · `187****3899`"),
                                            ("risk", "`袁辉` · `18745073899`")])
def test_a_customer_card_with_its_reason_codes(user, customer):
    app = open_page(user, "credit")
    app.text_input[0].input("CU00000001").run()
    assert not app.exception
    assert customer in text(app)
    assert metrics(app)["Loan LN00000001 (2025-02-28)"] == "612"
    reasons = frame(app, "reason", "points")
    assert list(reasons["points"]) == [8.5, 4.0, 1.5]


@pytest.mark.parametrize("user, customer, threat", [
    ("analyst", "139****4321", "再不还钱就上门找你家人"),
    ("compliance", "13987654321", "再不还钱就上门找你家人"),
    ("agency-AG01", "139****4321", "再不还钱就上门找你家人"),
])
def test_a_finding_opens_its_conversation_with_the_flagged_utterance(user, customer, threat):
    app = open_page(user, "sales_compliance")
    finding = next(o for o in app.selectbox[-1].options if o.startswith("F0000000000000000002"))
    app.selectbox[-1].select(finding).run()
    assert not app.exception, [e.value for e in app.exception]
    flagged = [w.value for w in app.warning]
    assert len(flagged) == 1 and threat in flagged[0]
    assert f"`{customer}`" in text(app)
    assert app.get("audio"), "the recording of the call"


def test_an_agency_cannot_open_a_lender_wide_page():
    app = open_page("agency-AG01", "overview")
    assert "73.1%" not in text(app)
    assert not any("73.1%" in str(df.value.to_dict()) for df in app.dataframe)


def test_sign_in_with_the_users_file():
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.text_input[0].input("compliance")
    app.text_input[1].input("wrong password")
    app.button[0].click().run()
    assert "Unknown user name or wrong password." in [e.value for e in app.error]
    assert "viewer" not in app.session_state
    app.text_input[1].input(password("compliance"))
    app.button[0].click().run()
    assert not app.exception
    assert app.session_state["viewer"] == USERS["compliance"]
    assert "Signed in as **compliance** (compliance)" in [c.value for c in app.sidebar.caption]


def test_an_agency_cannot_open_another_agencys_finding_by_its_id():
    app = open_page("agency-AG01", "sales_compliance")
    box = next(t for t in app.text_input if t.label == "…or any finding by its id")
    box.input("F0000000000000000003").run()              # AG02's finding
    assert not app.exception
    assert "No conversation of that finding is in your view." in text(app)
    assert not app.warning and not app.get("audio")


def test_the_app_holds_no_connection_between_runs(home):
    """A build can take the warehouse for writing as soon as a page has run."""
    app = open_page("analyst", "collections")
    assert not app.exception
    with duckdb.connect(str(Settings(home=home).warehouse_path)) as writer:
        assert writer.execute("select count(*) from marts.fct_calls").fetchone()[0] == 6


@pytest.mark.parametrize("user, said", [("compliance", "我的手机号是13812345678"),
                                        ("analyst", "我的手机号是\\[手机号\\]")])
def test_a_search_result_opens_its_conversation(user, said):
    app = open_page(user, "search")
    app.text_input[0].input("手机号").run()
    hit = next(o for o in app.selectbox[-1].options if o.startswith("chat:MSG000000001 #2"))
    app.selectbox[-1].select(hit).run()
    assert not app.exception
    matches = [w.value for w in app.warning]
    assert len(matches) == 1 and matches[0].startswith("Match: ") and said in matches[0]
