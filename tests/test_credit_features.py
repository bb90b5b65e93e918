"""Point-in-time correctness of the credit features: the dbt model's SQL (rendered with its
macros, run in DuckDB on tiny synthetic inputs) gives the same rows as of a date whatever
happens after it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import jinja2
import polars as pl
import pytest
from polars.testing import assert_frame_equal

DBT = Path(__file__).resolve().parent.parent / "dbt"
MODEL = DBT / "models" / "marts" / "credit" / "fct_customer_communication_features.sql"
MACROS = ["safe_divide", "seconds_between", "add_interval"]
FLAGS = ["is_income_evasive", "is_question", "is_hostile", "is_contact_change",
         "is_plan_accept", "is_plan_resist", "is_document_promise", "is_document_sent",
         "is_document_excuse", "is_complaint", "is_private_channel_request"]


class _Dbt:
    """The few dbt cross-database macros the model uses, as dbt-duckdb renders them."""

    @staticmethod
    def dateadd(part, amount, expr):
        return f"date_add({expr}, interval ({amount}) {part})"

    @staticmethod
    def last_day(expr, part):
        return f"last_day({expr})"


def render(path: Path, refs: dict[str, str]) -> str:
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    modules: dict[str, object] = {}

    class Adapter:
        @staticmethod
        def dispatch(name, package=None):
            for module in modules.values():
                if hasattr(module, f"default__{name}"):
                    return getattr(module, f"default__{name}")
            raise KeyError(name)

    context = {"adapter": Adapter, "return": lambda value: value, "dbt": _Dbt,
               "ref": lambda name: refs[name], "config": lambda **_: ""}
    for file in [DBT / "macros" / f"{m}.sql" for m in MACROS]:
        modules[file.stem] = env.from_string(file.read_text()).make_module(context)
    macros = {name: getattr(m, name) for m in modules.values() for name in dir(m)
              if not name.startswith("_")}
    return env.from_string(path.read_text()).render(context | macros)


def _signals(rows: list[tuple]) -> pl.DataFrame:
    """rows: (event_id, customer_id, event_at, context, reply_latency_s, income, flags dict)."""
    out = []
    for event_id, customer, at, context, latency, income, flags in rows:
        out.append({"event_id": event_id, "event_kind": "message", "customer_id": customer,
                    "employee_id": "E1", "context": context, "event_at": at,
                    "event_date": at.date(), "reply_latency_s": latency,
                    "disclosed_income_cny": income} | {f: flags.get(f, 0) for f in FLAGS})
    return pl.DataFrame(out, schema_overrides={"reply_latency_s": pl.Float64,
                                               "disclosed_income_cny": pl.Float64})


def features(signals: pl.DataFrame) -> pl.DataFrame:
    con = duckdb.connect()
    customers = pl.DataFrame({"customer_id": ["C1", "C2"],
                              "customer_phone_token": ["t1", "t2"],
                              "stated_monthly_income": [12000, 8000],
                              "first_disbursed_at": [datetime(2025, 1, 20, 10),
                                                     datetime(2025, 2, 10, 9)]})
    loans = pl.DataFrame({"loan_id": ["L1", "L2"], "customer_id": ["C1", "C2"],
                          "lead_id": ["D1", "D2"],
                          "disbursed_at": [datetime(2025, 1, 20, 10),
                                           datetime(2025, 2, 10, 9)]})
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(365)]
    dates = pl.DataFrame({"date_day": days})
    for name, frame in (("signals", signals), ("customers", customers), ("loans", loans),
                        ("dates", dates)):
        con.register(f"{name}_df", frame.to_arrow())
        con.execute(f"create table {name} as select * from {name}_df")
    sql = render(MODEL, {"fct_customer_communication_signals": "signals",
                         "fct_loans": "loans", "dim_customers": "customers",
                         "dim_dates": "dates"})
    return con.execute(sql).pl().sort("customer_id", "as_of_date")


BASE = [
    ("M1", "C1", datetime(2025, 1, 10, 10), "sales", 60.0, 6000.0, {"is_question": 1}),
    ("M2", "C1", datetime(2025, 1, 12, 11), "sales", 120.0, None, {"is_plan_resist": 1}),
    ("M3", "C1", datetime(2025, 1, 19, 23, 59), "sales", 30.0, None,
     {"is_document_promise": 1, "is_document_excuse": 1}),
    ("M4", "C2", datetime(2025, 2, 1, 9), "sales", 300.0, 8000.0, {"is_plan_accept": 1}),
    ("M5", "C1", datetime(2025, 3, 3, 9), "collection", 900.0, None, {"is_hostile": 1}),
    ("M6", "C2", datetime(2025, 4, 2, 9), "collection", 50.0, None, {"is_complaint": 1}),
]
LATER = [
    ("X1", "C1", datetime(2025, 1, 20, 0, 0), "sales", 5.0, 30000.0,
     {"is_private_channel_request": 1, "is_plan_accept": 1}),
    ("X2", "C2", datetime(2025, 2, 28, 23, 0), "collection", 9999.0, None,
     {"is_hostile": 1, "is_contact_change": 1}),
    ("X3", "C1", datetime(2025, 6, 1, 8), "collection", 1.0, None, {"is_complaint": 1}),
]


@pytest.mark.parametrize("cut", [date(2025, 1, 19), date(2025, 1, 31), date(2025, 2, 27)])
def test_features_as_of_a_date_ignore_later_events(cut):
    before = [r for r in BASE if r[2].date() <= cut]
    after = [r for r in BASE + LATER if r[2].date() > cut]
    known = features(_signals(before))
    full = features(_signals(before + after))
    # also: the events after the cut removed from the full history (only the earlier kept)
    for other in (full, features(_signals(before + after[:1]))):
        a = known.filter(pl.col("as_of_date") <= cut).drop("last_event_at")
        b = other.filter(pl.col("as_of_date") <= cut).drop("last_event_at")
        assert a.height and a.height == b.height
        assert_frame_equal(a, b)


def test_application_snapshot_is_the_eve_of_disbursement_and_counts_only_earlier_days():
    out = features(_signals(BASE + LATER))
    app = out.filter(pl.col("is_application_snapshot")).sort("customer_id")
    assert app["as_of_date"].to_list() == [date(2025, 1, 19), date(2025, 2, 9)]
    c1 = app.row(0, named=True)
    # M1-M3 (M3 at 23:59 on the eve) are known, X1 (midnight of disbursement day) is not
    assert c1["customer_messages"] == 3
    assert c1["repayment_plan_resistance_share"] == 1.0
    assert c1["promise_kept_share"] == 0.0
    assert c1["private_channel_request_rate"] == 0.0
    assert c1["income_overstatement_ratio"] == pytest.approx(12000 / 6000)
    assert c1["reply_latency_median_s"] == 60.0
    # month ends start at the first disbursement
    c1_month_ends = out.filter((pl.col("customer_id") == "C1")
                               & pl.col("is_month_end_snapshot"))["as_of_date"].to_list()
    assert c1_month_ends[0] == date(2025, 1, 31)
    # ... and stop at the last month end the data covers (its latest event: 1 June)
    assert c1_month_ends[-1] == date(2025, 5, 31)


def test_export_features_writes_one_as_of_date(tmp_path):
    from models_ml.credit.features import export_features
    from workphone.settings import Settings

    settings = Settings.from_env({"WORKPHONE_HOME": str(tmp_path)})
    out = features(_signals(BASE + LATER))
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.register("f", out.to_arrow())
        con.execute("create schema marts")
        con.execute("create table marts.fct_customer_communication_features as select * from f")
    rows = export_features(settings, date(2025, 1, 31), tmp_path / "x" / "features.parquet")
    got = pl.read_parquet(tmp_path / "x" / "features.parquet")
    assert rows == got.height == 1
    assert got["as_of_date"].to_list() == [date(2025, 1, 31)]
