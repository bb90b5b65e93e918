"""The best-time-to-call model: split, labels, planted-peak recovery, conduct limits,
reproducibility, registry and publication. Fast tests train on a small synthetic contact
history with a planted M2 answer peak (tests/test_warehouse.py checks the peak moves with the
altered world)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import polars as pl
import pytest

from ingestion.lake_store import LakeStore
from models_ml import registry
from models_ml.call_time.data import History, label_dials
from models_ml.call_time.features import ALLOWED_HOURS
from models_ml.call_time.pipeline import publish, recommend, train
from models_ml.call_time.policy import MAX_ANSWERED, MAX_UNANSWERED, execute
from models_ml.call_time.split import time_split

START = date(2025, 1, 1)
DAYS = 70


def synthetic_history(peak: tuple[int, ...], seed: int = 0, debtors: int = 160,
                      dials_per_day: int = 3, habit_lift: float = 1.0) -> History:
    """Debtors in M2 (and some in M1) dialled at uniform random hours; M2 answers 1.8× more
    often at ``peak``; each debtor answers ``habit_lift`` × more often within an hour of a
    habitual hour of its own (``habitual_hours``); an answered call is followed by a payment
    within a day 10% of the time. One debtor holds two open cases (two loans on one number)."""
    rng = np.random.default_rng(seed)
    base = datetime.combine(START, datetime.min.time())
    ids = [f"D{i:04d}" for i in range(debtors)]
    stage = np.where(np.arange(debtors) % 4 == 0, "M1", "M2")
    responsiveness = rng.lognormal(0, 0.3, debtors)
    cases = pl.DataFrame({
        "assignment_id": [f"A{i:04d}" for i in range(debtors)] + ["A9999"],
        "case_id": [f"C{i:04d}" for i in range(debtors)] + ["C9999"],
        "loan_id": [f"L{i:04d}" for i in range(debtors)] + ["L9999"],
        "debtor": ids + [ids[1]],
        "stage": list(stage) + [stage[1]],
        "handler_type": ["in_house" if i % 2 else "agency" for i in range(debtors + 1)],
        "assigned_at": [base] * (debtors + 1),
        "dpd_at_entry": [1 if s == "M1" else 31 for s in [*stage, stage[1]]],
        "overdue_amount_cny": rng.uniform(1000, 20000, debtors + 1).round(2),
        "stage_end": [base + timedelta(days=DAYS + 60)] * (debtors + 1),
        "closed_at": [None] * (debtors + 1),
    }, schema_overrides={"closed_at": pl.Datetime("us"), "assigned_at": pl.Datetime("us"),
                         "stage_end": pl.Datetime("us")})
    n = debtors * DAYS * dials_per_day
    who = np.repeat(np.arange(debtors), DAYS * dials_per_day)
    day = np.tile(np.repeat(np.arange(DAYS), dials_per_day), debtors)
    hour = rng.integers(8, 22, n)
    lift = np.where((stage[who] == "M2") & np.isin(hour, peak), 1.8, 1.0)
    lift = lift * np.where(np.abs(hour - habitual_hours(debtors, seed)[who]) <= 1,
                           habit_lift, 1.0)
    answered = rng.random(n) < np.clip(0.22 * lift * responsiveness[who], 0, 0.95)
    called = [base + timedelta(days=int(d), hours=int(h), seconds=int(s))
              for d, h, s in zip(day, hour, rng.integers(0, 3600, n), strict=True)]
    contacts = pl.DataFrame({
        "call_id": [f"K{i:07d}" for i in range(n)],
        "channel": np.where(rng.random(n) < 0.5, "phone_call", "ai_call"),
        "called_at": called, "answered": answered,
    }).with_columns(pl.col("called_at").cast(pl.Datetime("us"))).hstack(
        cases.slice(0, debtors).select("assignment_id", "case_id", "loan_id", "debtor", "stage",
                                       "handler_type", "assigned_at", "dpd_at_entry",
                                       "overdue_amount_cny")[who.tolist()])
    paying = contacts.filter(pl.col("answered")).sample(fraction=0.1, seed=seed)
    repayments = paying.select(
        "loan_id", (pl.col("called_at") + pl.duration(hours=20)).alias("paid_at"),
        pl.lit(500.0).alias("amount_cny"))
    promises = pl.DataFrame(schema={"call_id": pl.String, "debtor": pl.String,
                                    "promised_at": pl.Datetime("us"), "is_kept": pl.Boolean})
    return History(contacts.sort("called_at"), repayments.sort("loan_id", "paid_at"), promises,
                   cases, START + timedelta(days=DAYS))


def habitual_hours(debtors: int, seed: int) -> np.ndarray:
    return np.random.default_rng([seed, 99]).integers(9, 21, debtors)


@pytest.fixture(scope="module")
def peak_10_11():
    history = synthetic_history((10, 11), seed=1)
    trained = train(history, seed=3)
    return history, trained, recommend(history, trained.model, days=2)


def test_time_split_is_ordered_without_overlap(peak_10_11):
    _, trained, _ = peak_10_11
    frame = trained.frame
    ranges = {s: (frame.filter(pl.col("split") == s)["day"].min(),
                  frame.filter(pl.col("split") == s)["day"].max())
              for s in ("train", "valid", "test")}
    assert ranges["train"][1] < ranges["valid"][0] < ranges["valid"][1] < ranges["test"][0]
    # The embargo: no training label window (72 h) reaches into validation, nor valid → test.
    assert (ranges["valid"][0] - ranges["train"][1]).days > trained.split.embargo_days
    assert (ranges["test"][0] - ranges["valid"][1]).days > trained.split.embargo_days
    ids = {s: set(frame.filter(pl.col("split") == s)["call_id"]) for s in ranges}
    assert not (ids["train"] & ids["valid"] or ids["valid"] & ids["test"]
                or ids["train"] & ids["test"])


def test_split_cut_points():
    days = pl.Series([START + timedelta(days=i) for i in range(100)])
    split = time_split(days, valid_frac=0.2, test_frac=0.2, embargo_days=3)
    assert split.test_start == START + timedelta(days=80)
    assert split.valid_start == START + timedelta(days=60)


def test_promise_label_is_an_answered_call_followed_by_a_payment_within_72h():
    t0 = datetime(2025, 3, 1, 10)
    row = {"assignment_id": "A", "case_id": "C", "stage": "M2", "handler_type": "in_house",
           "assigned_at": datetime(2025, 2, 1), "dpd_at_entry": 31, "overdue_amount_cny": 1e3,
           "channel": "phone_call"}
    contacts = pl.DataFrame([
        {**row, "call_id": "paid_50h", "loan_id": "L1", "debtor": "d1", "called_at": t0,
         "answered": True},
        {**row, "call_id": "paid_80h", "loan_id": "L2", "debtor": "d2", "called_at": t0,
         "answered": True},
        {**row, "call_id": "unanswered", "loan_id": "L3", "debtor": "d3", "called_at": t0,
         "answered": False},
        {**row, "call_id": "said", "loan_id": "L4", "debtor": "d4", "called_at": t0,
         "answered": True},
    ])
    repayments = pl.DataFrame({"loan_id": ["L1", "L2", "L3"],
                               "paid_at": [t0 + timedelta(hours=50), t0 + timedelta(hours=80),
                                           t0 + timedelta(hours=5)],
                               "amount_cny": [1.0, 1.0, 1.0]})
    promises = pl.DataFrame({"call_id": ["said"], "debtor": ["d4"], "promised_at": [t0],
                             "is_kept": [False]})
    history = History(contacts, repayments, promises, pl.DataFrame(), date(2025, 4, 1))
    label = dict(label_dials(history).select("call_id", "promise").iter_rows())
    assert label == {"paid_50h": True, "paid_80h": False, "unanswered": False, "said": True}


@pytest.mark.parametrize("peak", [(10, 11), (17, 18)])
def test_ranking_follows_the_planted_peak(peak, peak_10_11):
    if peak == (10, 11):
        _, _, plan = peak_10_11
    else:
        history = synthetic_history(peak, seed=2)
        plan = recommend(history, train(history, seed=3, evaluate_schedules=False).model,
                         days=2)
    m2 = plan.filter(pl.col("stage") == "M2")
    top = m2.filter(pl.col("rank") <= 2)
    assert top["hour"].is_in(list(peak)).mean() > 0.9
    most_chosen = top.group_by("hour").len().sort(["len", "hour"], descending=[True, False])
    assert set(most_chosen["hour"].head(2)) == set(peak)


def test_ranking_follows_each_debtors_own_hours():
    """No stage peak, but every debtor answers 3× more often around an hour of its own: the
    first window recommended to a debtor lies within an hour of that debtor's habit."""
    history = synthetic_history((), seed=4, habit_lift=3.0)
    plan = recommend(history, train(history, seed=3, evaluate_schedules=False).model, days=1)
    habits = pl.DataFrame({"debtor": [f"D{i:04d}" for i in range(160)],
                           "habit": habitual_hours(160, 4)})
    first = plan.filter(pl.col("rank") == 1).join(habits, on="debtor")
    near = ((first["hour"] - first["habit"]).abs() <= 1).mean()
    assert first.height >= 150 and near > 0.7, near


def test_recommendations_respect_the_conduct_limits(peak_10_11):
    _, _, plan = peak_10_11
    per_day = plan.group_by("debtor", "plan_date").agg(
        n=pl.len(), hours=pl.col("hour").n_unique(), dials=pl.col("max_dials").sum())
    assert per_day["dials"].max() <= MAX_UNANSWERED
    assert (per_day["n"] == per_day["hours"]).all()
    assert plan["hour"].is_in(list(ALLOWED_HOURS)).all()
    assert plan["window_start"].dt.hour().min() >= 8
    assert (plan["window_end"] - timedelta(microseconds=1)).dt.hour().max() <= 21
    assert (plan["stop_after_answered"] <= MAX_ANSWERED).all()
    # The debtor with two open cases still gets at most six dials on their number.
    assert plan.filter(pl.col("debtor") == "D0001").group_by("plan_date").len()["len"].max() \
        <= MAX_UNANSWERED
    rng = np.random.default_rng(0)
    ordered = plan.sort("debtor", "plan_date", "rank").rename({"plan_date": "day"})
    for outcome in (np.ones(len(ordered), bool), np.zeros(len(ordered), bool),
                    rng.random(len(ordered)) < 0.7):
        done = execute(ordered, outcome)
        assert done["answered"].max() <= MAX_ANSWERED
        assert done["unanswered"].max() <= MAX_UNANSWERED
        assert done["min_hour"].min() >= 8 and done["max_hour"].max() <= 21
    # Expected contacts honour the stop rule.
    assert plan["expected_contacts"].max() <= MAX_ANSWERED
    assert ((plan["p_reached"] >= 0) & (plan["p_reached"] <= 1)).all()


def test_reproducible_from_a_seed(peak_10_11, tmp_path):
    history, first, plan = peak_10_11
    again = train(history, seed=3, evaluate_schedules=False)
    assert again.fingerprint == first.fingerprint
    assert again.model.answer.model_to_string() == first.model.answer.model_to_string()
    assert again.model.promise.model_to_string() == first.model.promise.model_to_string()
    replan = recommend(history, again.model, days=2)
    assert replan.equals(plan)

    saved = [registry.save(tmp_path, "call_time", t.model.files(), {"seed": 3}, t.metrics,
                           t.fingerprint) for t in (first, again)]
    latest = registry.load(tmp_path, "call_time")
    assert latest.version == saved[-1].version != saved[0].version
    assert latest.meta["training_data_sha256"] == first.fingerprint
    assert [a.version for a in registry.versions(tmp_path, "call_time")] == \
        [a.version for a in saved]
    from models_ml.call_time.model import CallTimeModel

    loaded = CallTimeModel.from_files(latest.path)
    assert recommend(history, loaded, days=2).equals(plan)


def test_evaluation_finds_the_lift_over_a_uniform_schedule(peak_10_11):
    _, trained, _ = peak_10_11
    replay = trained.metrics["schedules"]["k=1"]
    m2 = replay["by_stage"]["M2"]
    assert m2["lift"]["model_vs_uniform"]["contacts"]["lift"] > 0.2
    assert trained.metrics["answer_model"]["auc"] > 0.55


@pytest.mark.parametrize("where", ["disk", "s3"])
def test_publish_writes_the_lake_dataset_and_the_warehouse_table(where, peak_10_11, tmp_path,
                                                                 request):
    _, _, plan = peak_10_11
    warehouse = tmp_path / "warehouse.duckdb"
    store = (LakeStore(f"s3://lake/publish-{tmp_path.name}", request.getfixturevalue("s3_store"))
             if where == "s3" else LakeStore(tmp_path / "lake"))
    assert publish(plan, store, warehouse) == len(plan)
    assert publish(plan, store, warehouse) == len(plan)      # idempotent
    files = store.files("call_time_recommendations", suffix="")
    days = [f"dt={d:%Y-%m-%d}" for d in sorted(plan["plan_date"].unique())]
    assert [path.split("/")[-2:] for path in files] == [[day, "part-0.parquet"] for day in days]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        back = con.execute("select * from ml.call_time_recommendations").pl()
    assert back.columns == plan.columns and len(back) == len(plan)
