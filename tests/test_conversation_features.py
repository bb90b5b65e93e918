"""Conversation features: hand-made turns checked against values worked out by hand, and the
tiny world's chats and planted collection scripts checked against the ground truth."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from conversation_analytics.conversations import register_turns
from conversation_analytics.features import (
    conversation_features,
    customer_features,
    parse_amount,
    parse_promised_date,
    promises_to_pay,
)

START = dt.datetime(2025, 3, 12, 15, 0)  # a Wednesday
COLUMNS = ("conversation_id", "medium", "context", "employee_id", "customer_token",
           "conversation_start", "turn_index", "source_id", "speaker", "start_s", "end_s", "text")


def _turns(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    frame = pl.DataFrame(rows, schema=list(COLUMNS), orient="row")
    con.register("hand_turns", frame.to_arrow())
    con.execute("create or replace temp table conversation_turns as select * from hand_turns")
    return con


def _conversation(conversation_id: str, medium: str, context: str, customer: str,
                  turns: list[tuple[str, float, float, str]]) -> list[tuple]:
    return [(conversation_id, medium, context, "E1", customer, START, i, f"{conversation_id}-{i}",
             speaker, start, end, text)
            for i, (speaker, start, end, text) in enumerate(turns)]


CALL = _conversation("call:1", "call", "sales", "C1", [
    ("agent", 0.0, 10.0, "您好，我是客户经理，给您介绍一下我们的低息分期。"),
    ("customer", 8.0, 15.0, "我打算贷款买辆车，首付最低多少？"),   # starts before the agent ends
    ("unknown", 16.0, 17.0, "嗯"),
    ("agent", 20.0, 30.0, "按月还，月供平稳，利率也有优惠。"),
    ("customer", 31.0, 33.0, "利息还是太贵了，不过你先帮我办一个吧。"),
])
CHAT = _conversation("chat:1", "chat", "sales", "C1", [
    ("agent", 0.0, 0.0, "您好，我是您的专属顾问。"),
    ("customer", 60.0, 60.0, "装修的钱一下拿不出来，头三个月能免息吗？"),
    ("customer", 90.0, 90.0, "我再想想，回头联系你。"),
    ("agent", 150.0, 150.0, "我们的高额度产品最高可以借二十万，以审批为准。"),
    ("customer", 400.0, 400.0, "再骚扰我就报警了。"),
    ("agent", 420.0, 420.0, "你就是个老赖。"),
])
CUSTOMER_FIRST = _conversation("chat:2", "chat", "sales", "C2", [
    ("customer", 0.0, 0.0, "在吗？"),
    ("agent", 30.0, 30.0, "您好，您不是老赖，我们一起想办法。"),
])
COLLECTION = _conversation("call:2", "call", "collection", "C3", [
    ("agent", 0.0, 4.0, "您的账单已经于七了，应还三千元。"),
    ("customer", 5.0, 9.0, "我3月15日前一定还两千五百元。"),
    ("customer", 10.0, 12.0, "下周五发工资先还1200块。"),
    ("customer", 13.0, 15.0, "月底前还一万二。"),
    ("customer", 16.0, 18.0, "等我有钱了再说，说不准哪天。"),
    ("customer", 19.0, 21.0, "能不能分6期？"),
    ("agent", 22.0, 25.0, "好的，3月15日还2500元，我登记了。"),
])


@pytest.fixture
def hand_con() -> duckdb.DuckDBPyConnection:
    return _turns(duckdb.connect(), CALL + CHAT + CUSTOMER_FIRST + COLLECTION)


@pytest.fixture
def features(hand_con) -> dict[str, dict]:
    table = pl.from_arrow(conversation_features(hand_con))
    return {row["conversation_id"]: row for row in table.iter_rows(named=True)}


def test_call_talk_listen_silence_interruptions_rounds(features):
    call = features["call:1"]
    assert (call["turns"], call["agent_turns"], call["customer_turns"]) == (5, 2, 2)
    assert call["agent_talk_s"] == pytest.approx(20.0)            # 10 + 10
    assert call["customer_talk_s"] == pytest.approx(9.0)          # 7 + 2
    assert call["talk_listen_ratio"] == pytest.approx(20 / 9)
    # speech covers [0, 15], [16, 17], [20, 30], [31, 33] of the span [0, 33]: 1 + 3 + 1 silent
    assert call["silence_s"] == pytest.approx(5.0)
    assert call["silence_share"] == pytest.approx(5 / 33)
    assert call["interruptions"] == 1                             # the customer at 8 s < 10 s
    assert call["rounds"] == 2                                    # A C A C: 3 changes of party
    assert call["first_response_s"] is None


def test_chat_first_response_and_rounds(features):
    chat = features["chat:1"]
    assert chat["first_response_s"] == pytest.approx(90.0)        # customer at 60, agent at 150
    assert chat["rounds"] == 2                                    # runs A C A C A: 4 changes
    assert chat["agent_talk_s"] is None and chat["silence_s"] is None
    assert chat["interruptions"] is None
    assert features["chat:2"]["first_response_s"] == pytest.approx(30.0)
    assert features["chat:2"]["rounds"] == 1


def test_wording_features(features):
    call, chat = features["call:1"], features["chat:1"]
    assert call["intent_tag"] == "高意向-汽车分期"
    assert call["demand_keywords"] == ["汽车分期"]
    assert call["objections"] == ["利率太高"]
    assert call["pitch"] == "低息分期"
    assert chat["intent_tag"] == "观望-消费贷"
    assert sorted(chat["demand_keywords"]) == ["短期免息", "装修分期"]
    assert chat["pitch"] == "高额度"
    assert features["call:2"]["intent_tag"] is None and features["call:2"]["pitch"] is None


def test_hostility(features):
    # one hostile customer turn (0.4) and one abusive agent turn (0.7): 1 - 0.6 * 0.3
    assert features["chat:1"]["hostility_score"] == pytest.approx(0.82)
    assert features["call:1"]["hostility_score"] == 0
    assert features["chat:2"]["hostility_score"] == 0           # "您不是老赖" is not abuse


def test_promises_to_pay(hand_con, features):
    promises = pl.from_arrow(promises_to_pay(hand_con)).sort("turn_index")
    assert promises.select("turn_index", "amount_cny", "promised_date").rows() == [
        (1, 2500.0, dt.date(2025, 3, 15)),
        (2, 1200.0, dt.date(2025, 3, 21)),   # Friday of the week after Wed 12 March
        (3, 12000.0, dt.date(2025, 3, 31)),
    ]
    assert set(promises["customer_token"]) == {"C3"}
    assert features["call:2"]["promise_count"] == 3
    assert features["call:1"]["promise_count"] == 0


@pytest.mark.parametrize(("text", "amount"), [
    ("明天还三百", 300.0), ("先还两千五百元", 2500.0), ("还1.5万", 15000.0),
    ("转八百块钱过去", 800.0), ("分6期，每期还", None), ("我一定还", None), ("还1295元", 1295.0),
])
def test_parse_amount(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize(("text", "when"), [
    ("3月15日前还", dt.date(2025, 3, 15)), ("三月二十日还", dt.date(2025, 3, 20)),
    ("1月5号还", dt.date(2026, 1, 5)), ("15号还", dt.date(2025, 3, 15)),
    ("10号还", dt.date(2025, 4, 10)), ("下个月8号还", dt.date(2025, 4, 8)),
    ("下周五还", dt.date(2025, 3, 21)), ("周五还", dt.date(2025, 3, 14)),
    ("周一还", dt.date(2025, 3, 17)), ("这周日之前到账", dt.date(2025, 3, 16)),
    ("明天还", dt.date(2025, 3, 13)), ("后天还", dt.date(2025, 3, 14)),
    ("今晚还", dt.date(2025, 3, 12)), ("月底还", dt.date(2025, 3, 31)),
    ("下个月底还", dt.date(2025, 4, 30)), ("3天后还", dt.date(2025, 3, 15)),
    ("年底还", dt.date(2025, 12, 31)), ("有钱就还", None),
])
def test_parse_promised_date(text, when):
    assert parse_promised_date(text, START.date()) == when


def test_customer_features(hand_con):
    customers = {r["customer_token"]: r for r in
                 pl.from_arrow(customer_features(hand_con)).iter_rows(named=True)}
    one = customers["C1"]
    assert (one["conversations"], one["calls"], one["chats"]) == (2, 1, 1)
    assert one["mean_first_response_s"] == pytest.approx(90.0)
    assert one["max_hostility"] == pytest.approx(0.82)
    assert one["demand_keywords"] == ["汽车分期", "短期免息", "装修分期"]
    assert one["objection_counts"] == [{"objection": "利率太高", "count": 1}]
    assert customers["C3"]["promises_made"] == 3
    assert customers["C3"]["promised_amount_cny"] == pytest.approx(15700.0)


# --- against the tiny world's ground truth ---------------------------------------------------

PITCHES = {"low_rate": "低息分期", "high_limit": "高额度"}
INTENTS = {"high": "高意向", "wait": "观望", "none": "无意向"}
DEMANDS = {"demand_home_renovation": "装修分期", "demand_interest_free": "短期免息",
           "demand_flexible_repayment": "灵活还款", "demand_car_instalment": "汽车分期",
           "demand_education": "教育分期", "demand_travel": "旅游分期"}


def _observed(truth_turns: pl.DataFrame, lake_ids: pl.Series, prefix: str) -> pl.Series:
    """Truth conversations whose planted turn of a group starting with ``prefix`` reached the
    lake (a chat message can be lost or quarantined on the way)."""
    planted = truth_turns.filter(pl.col("group").str.starts_with(prefix)
                                 & pl.col("message_id").is_in(lake_ids.implode()))
    return planted["conversation_id"].unique()


@pytest.fixture(scope="module")
def tiny_chats(ingested_tiny, tiny_world) -> tuple[pl.DataFrame, dict[str, pl.Series]]:
    """Chat features joined to the truth conversation their messages came from, and per
    planted group the truth conversations whose planted turn is in the lake."""
    settings, _ = ingested_tiny
    con = duckdb.connect()
    register_turns(con, settings.lake_dir)
    features = pl.from_arrow(conversation_features(con)).filter(pl.col("medium") == "chat")
    turns = con.sql("select conversation_id, source_id from conversation_turns "
                    "where medium = 'chat'").pl()
    truth_turns = pl.read_parquet(tiny_world / "ground_truth" / "utterances.parquet")
    pairs = (turns.join(truth_turns.select("message_id", truth="conversation_id"),
                        left_on="source_id", right_on="message_id")
             .group_by("conversation_id").agg(pl.col("truth").mode().first()))
    truth = pl.read_parquet(tiny_world / "ground_truth" / "conversations.parquet")
    joined = features.join(pairs, on="conversation_id").join(
        truth.select("conversation_id", "pitch", "intent", "demand"),
        left_on="truth", right_on="conversation_id", suffix="_truth")
    observed = {p: _observed(truth_turns, turns["source_id"], p)
                for p in ("pitch_", "intent_", "demand_")}
    return joined, observed


def _among(joined: pl.DataFrame, observed: dict[str, pl.Series], prefix: str) -> pl.DataFrame:
    return joined.filter(pl.col("truth").is_in(observed[prefix].implode()))


def test_tiny_chats_agree_with_ground_truth(tiny_chats):
    joined, observed = tiny_chats
    assert joined.height > 500 and joined["truth"].n_unique() == joined.height

    pitched = _among(joined, observed, "pitch_").with_columns(
        expected=pl.col("pitch_truth").replace_strict(PITCHES))
    pitch_agreement = (pitched["pitch"] == pitched["expected"]).fill_null(False).mean()

    stated = _among(joined, observed, "intent_").with_columns(
        expected=pl.col("intent").replace_strict(INTENTS),
        level=pl.col("intent_tag").str.split("-").list.first())
    intent_agreement = (stated["level"] == stated["expected"]).fill_null(False).mean()

    demanded = _among(joined, observed, "demand_").filter(pl.col("demand").is_not_null())
    demanded = demanded.with_columns(expected=pl.col("demand").replace_strict(DEMANDS))
    demand_recall = demanded.select(
        pl.col("demand_keywords").list.contains(pl.col("expected"))).to_series().mean()

    assert pitched.height > 400 and pitch_agreement >= 0.9, pitch_agreement
    assert stated.height > 400 and intent_agreement >= 0.8, intent_agreement
    assert demanded.height > 300 and demand_recall >= 0.8, demand_recall


def _truth_collection_turns(tiny_world) -> pl.DataFrame:
    """The planted collection scripts as conversation turns. Collection conversations are
    calls, and the ingested lake holds no transcripts, so promises are measured on the script
    text the recordings were made from."""
    truth = tiny_world / "ground_truth"
    conversations = pl.read_parquet(truth / "conversations.parquet").filter(
        pl.col("context") == "collection")
    return (pl.read_parquet(truth / "utterances.parquet")
            .join(conversations.select("conversation_id", "employee_id", "case_id",
                                       "started_at"), on="conversation_id")
            .select("conversation_id", medium=pl.lit("call"), context=pl.lit("collection"),
                    employee_id="employee_id", customer_token="case_id",
                    conversation_start="started_at", turn_index=pl.col("turn").cast(pl.Int64),
                    source_id="conversation_id", speaker="speaker", start_s="start_s",
                    end_s="end_s", text="text"))


def test_promises_agree_with_planted_promises(ingested_tiny, tiny_world):
    settings, _ = ingested_tiny
    lake = duckdb.connect()
    register_turns(lake, settings.lake_dir)
    assert promises_to_pay(lake).num_rows == 0      # the lake's conversations are sales chats

    con = _turns(duckdb.connect(), _truth_collection_turns(tiny_world).rows())
    found = pl.from_arrow(promises_to_pay(con))
    planted = pl.read_parquet(tiny_world / "ground_truth" / "promises.parquet")
    lines = pl.read_parquet(tiny_world / "ground_truth" / "utterances.parquet").filter(
        pl.col("group") == "promise_to_pay").select("conversation_id", line="text")
    pairs = planted.join(lines, on="conversation_id").join(
        found.select("conversation_id", "amount_cny", "promised_date"),
        on="conversation_id", how="left", suffix="_found")
    per_promise = pairs.group_by("conversation_id").agg(
        amount=(pl.col("amount_cny_found") == pl.col("amount_cny")).any(),
        date=(pl.col("promised_date") == pl.col("promised_for").dt.date()).any(),
        date_in_text=pl.col("line").first().str.contains(r"\d+月\d+日"))
    recall = per_promise["amount"].fill_null(False).mean()
    dated = per_promise.filter(pl.col("date_in_text"))
    date_agreement = dated["date"].fill_null(False).mean()
    unplanted = found.join(planted, on="conversation_id", how="anti").height

    assert planted.height > 50 and recall >= 0.8, recall
    assert dated.height > 30 and date_agreement >= 0.8, date_agreement
    assert unplanted <= 0.1 * found.height, unplanted
