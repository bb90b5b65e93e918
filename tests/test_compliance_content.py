"""Content compliance: every label on positives, paraphrases, speech-recognition misspellings and
hard negatives; the conversation-level disclosure check; the rules file; the classify command.

The sentences here are written for these tests: they are neither in the training corpus nor in
the simulator's utterance library.
"""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from conversation_analytics.content import ContentEngine
from conversation_analytics.content_model import load_corpus
from conversation_analytics.content_rules import RulesError, default_rules_path, load_rules
from conversation_analytics.evaluation import label_metrics
from workphone.cli import app

# label: (context, positive, paraphrase, ASR-style misspelling, hard negative)
CASES = {
    "rate_concealment": (
        "sales", "日利率才万分之三，一天只要三块钱，很划算的。",
        "您别管什么年化不年化的，反正每天就几块钱。",
        "那个年华利率您就别问了，日西才万分之四。",
        "根据规定先告诉您，这笔的综合年化利率是百分之十七点九。"),
    "intermediary_fee_hint": (
        "sales", "放款前您得先交两千块的保证金，到账后退给您。",
        "我认识一个中介朋友，他帮您包装一下资料，收点辛苦费就能过。",
        "下款前要先交一笔验资费，五百块，交了马上审皮。",
        "提醒您，放款前我们不会收取任何费用，要您先交钱的都是骗子。"),
    "false_limit_promise": (
        "sales", "您放心，百分之百能批下来，五万额度稳稳的。",
        "征信花了也没关系，我们这边不查征信，照样给您下款。",
        "我保证给您批二十万额渡，绝对没问题。",
        "能不能批、批多少都以系统审批结果为准，我没办法给您打包票。"),
    "off_book_transaction": (
        "sales", "您直接把钱转到我个人的银行卡上，我帮您处理。",
        "这单咱们不走系统，私下办，手续费还能便宜点。",
        "你把钱打到我私帐上就行，比走公司快。",
        "所有款项只能还到官方APP里的对公账户，千万不要转给个人。"),
    "abusive_language": (
        "collection", "你这个废物，借钱不还还有脸接电话？",
        "真是没出息的东西，这点钱都还不上。",
        "你就是个老赖，臭不要脸。",
        "我理解您现在压力大，我们心平气和地商量一下还款方案。"),
    "threat_intimidation": (
        "collection", "再不还钱，后果自负，你自己掂量掂量。",
        "你家孩子上学路上可要小心点，别出什么事。",
        "今天不还，马上就让警察抓你去坐牢。",
        "我们不会威胁您，只是提醒您逾期会影响征信记录。"),
    "third_party_disclosure": (
        "collection", "你再不还，我就打给你通讯录里所有的人。",
        "你欠钱的事我会告诉你们单位领导和同事。",
        "不还的话你的联系人全都会知道，我一个个打过去。",
        "请放心，我们不会联系您的通讯录，也不会告诉任何人。"),
    "threat_home_visit": (
        "collection", "明天我们就带人去你家里堵你。",
        "你要是还躲着，我们直接去你公司找你要钱。",
        "再不接电话，我们就上门到你家门口坐着等你。",
        "我们不会上门打扰您，有问题电话沟通就可以。"),
    "impersonation": (
        "collection", "我是市公安局经侦大队的，你的案子已经立案了。",
        "这里是人民法院执行局，传票明天送到你家。",
        "我是法苑的工作人员，你这边已经被起诉了。",
        "我不是法院的人，我是平台委托的贷后专员，依法提醒您还款。"),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> ContentEngine:
    return ContentEngine.load(tmp_path_factory.mktemp("models"))


@pytest.mark.parametrize("label", list(CASES))
def test_each_label_positive_paraphrase_misspelling_and_hard_negative(engine, label):
    context, *violations, negative = CASES[label]
    results = engine.classify([context] * 4, [*violations, negative])
    for text, result in zip(violations, results[:3], strict=True):
        assert label in result.labels, (text, result)
        assert all(e.rule_version for e in result.evidence)
    assert results[3].labels == [], (negative, results[3])


def test_a_label_only_counts_in_its_context(engine):
    sales_only = CASES["false_limit_promise"][1]
    assert engine.classify(["collection"], [sales_only])[0].labels == []
    with pytest.raises(ValueError, match="context 'support'"):
        engine.classify(["support"], ["您好"])


def test_rule_evidence_is_the_matched_words(engine):
    result = engine.classify(["collection"], ["你再不还，我就打给你通讯陆里的人。"])[0]
    by_rule = [e for e in result.evidence if e.rule_id.startswith("CONTENT-")]
    assert by_rule and by_rule[0].text in "你再不还，我就打给你通讯陆里的人。"
    assert "通讯陆" in by_rule[0].text and by_rule[0].severity == "critical"


def test_held_out_split_quality(engine):
    test = [e for e in load_corpus() if e.split == "test"]
    assert len(test) > 300
    predicted = engine.classify([e.context for e in test], [e.text for e in test])
    metrics = label_metrics([e.labels for e in test], [p.labels for p in predicted])
    assert metrics["micro"]["f1"] >= 0.7, metrics  # measured 0.75: benchmarks/compliance.py
    assert metrics["flagged_compliant"] <= 0.08, metrics


def test_training_and_test_splits_are_disjoint_and_stable():
    corpus = load_corpus()
    train = {e.text for e in corpus if e.split == "train"}
    test = {e.text for e in corpus if e.split == "test"}
    assert not train & test
    assert 0.1 < len(test) / len(corpus) < 0.3
    assert [e.split for e in corpus] == [e.split for e in load_corpus()]


def test_priced_sales_conversation_without_the_annualised_rate(engine):
    priced = ["您好，我是客户经理。", "分12期的话，每个月还860元。", "您看可以吗？"]
    findings = engine.unmet_statements("sales", priced)
    assert [(i, e.label, e.rule_id) for i, e in findings] == [
        (1, "rate_concealment", "CONTENT-RC-100")]
    disclosed = [*priced, "年化利率是百分之十五点六。"]
    assert engine.unmet_statements("sales", disclosed) == []
    misheard = [*priced, "年华利率是15.6%。"]
    assert engine.unmet_statements("sales", misheard) == []
    assert engine.unmet_statements("sales", ["您好。", "需要什么材料？"]) == []
    assert engine.unmet_statements("collection", priced) == []


def test_a_malformed_rules_file_names_the_rule_and_key(tmp_path):
    data = yaml.safe_load(default_rules_path().read_text("utf-8"))
    data["rules"][1]["label"] = "rudeness"
    data["rules"][2]["patterns"] = ["(unclosed"]
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert f"rule {data['rules'][1]['id']}: key label" in message and "rudeness" in message
    assert f"rule {data['rules'][2]['id']}: key patterns" in message


def test_classify_command_keeps_order_and_ids(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKPHONE_HOME", str(tmp_path / "home"))
    items = [{"id": 7, "context": "collection", "text": CASES["threat_home_visit"][1]},
             {"id": "a", "context": "sales", "text": CASES["rate_concealment"][4]},
             {"id": 3, "context": "collection", "text": CASES["impersonation"][1]}]
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items), "utf-8")
    result = CliRunner().invoke(app, ["compliance", "classify", "--in", str(source),
                                      "--out", str(target)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    assert [o["id"] for o in out] == [7, "a", 3]
    assert out[0]["labels"] == ["threat_home_visit"] and out[1]["labels"] == []
    assert out[2]["labels"] == ["impersonation"] and out[2]["evidence"][0]["rule_id"]


def test_classify_command_names_the_bad_line(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKPHONE_HOME", str(tmp_path / "home"))
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "context": "sales", "text": "您好"}\n{"id": 2}\n', "utf-8")
    result = CliRunner().invoke(app, ["compliance", "classify", "--in", str(source),
                                      "--out", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 2
    assert f"{source}:2" in result.output
