"""Content compliance: every label on positives, paraphrases, speech-recognition misspellings and
hard negatives; the conversation-level disclosure check; the rules file; the classify command.

The sentences here are written for these tests: they are neither in the training corpus nor in
the simulator's utterance library.
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from conversation_analytics import content_model
from conversation_analytics.content import ContentEngine
from conversation_analytics.content_model import CLASSES, class_probabilities, decide, load_corpus
from conversation_analytics.content_rules import (
    LABEL_CONTEXTS,
    LABELS,
    RulesError,
    default_rules_path,
    load_rules,
)
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


# label: (context, violations: a positive, a paraphrase, an ASR-style misspelling…, hard negatives)
MORE_CASES = {
    "rate_concealment": ("sales", [
        "咱们这款按天计息，一天就一块五，年化您就别折算了。",
        "每期收的那笔叫平台服务费，不算利息，所以是零利率。",
        "年化的事等您签完合同再说，现在先把额度锁定。",
        "年华利律我这边不方便透露，您看月供就行。",
    ], [
        "按规定先跟您说清楚，这笔分期综合年化利率是13.9%，服务费已含在内。",
        "日利率万分之四，折算成年化是百分之十四点六，请以年化为准。",
    ]),
    "intermediary_fee_hint": ("sales", [
        "放款前您得先转一千块保证金过来，放款后退。",
        "我帮您找个懂行的朋友把流水做漂亮点，收八百块辛苦费。",
        "额度批下来以后给我返三个点，下次提额我帮您搞定。",
        "先交五百的服物费，审皮马上给您加急。",
    ], [
        "我们申请全程不收费，谁让您先交押金都是骗子。",
        "不需要找任何中介，您在APP上自己申请就可以。",
    ]),
    "false_limit_promise": ("sales", [
        "您这条件百分百能批，十万额度跑不了。",
        "我们不查征信，之前逾期过也照样给您下款。",
        "审核那边我都打点好了，您只管提交，肯定过。",
        "额渡我保证给您批到十五万，审皮不是问题。",
    ], [
        "能批多少要看系统审核，我没办法提前给您打包票。",
        "申请需要授权查询征信，结果以审批为准。",
    ]),
    "off_book_transaction": ("collection", [
        "你把这期的钱直接转到我个人卡上，我帮你处理逾期。",
        "这事别走公司了，咱俩私下把账结了。",
        "加我私人微心，减免的事私下跟你说。",
    ], [
        "请您只通过官方APP还款，任何让您转给个人的都不是我们。",
        "减免要在系统里提交审批，我个人不能私下答应您。",
    ]),
    "abusive_language": ("collection", [
        "你这个没用的废物，钱都还不起还好意思接电话？",
        "真不要脸，借钱的时候怎么不说没钱？",
        "你就是个老来，跟你讲道理没用。",
    ], [
        "您别着急，我们一起看看有没有适合您的还款方案。",
        "我理解您压力大，咱们心平气和地把事情说清楚。",
    ]),
    "threat_intimidation": ("collection", [
        "你再拖着不还，后果自负，别说我没提醒你。",
        "你最好小心点，别让你家里人跟着出事。",
        "不还钱就让你坐劳，说到做到。",
    ], [
        "逾期会影响您的征信记录，建议您尽快安排还款。",
        "我们不会威胁您，协商不成公司会依法起诉。",
    ]),
    "third_party_disclosure": ("collection", [
        "你再不接电话，我就打给你通讯录里所有的人说你欠钱。",
        "你欠钱的事我们会告诉你们单位领导。",
        "你单味的同是马上都会知道你于七了。",
    ], [
        "您放心，我们不会联系您的家人和同事。",
        "麻烦您转告他回个电话就好，其他的我不方便说。",
    ]),
    "threat_home_visit": ("collection", [
        "明天我们的人就去你家门口等你。",
        "你再躲，我们直接去你单位找你要钱。",
        "外仿组已经出发了，下午就尚门找你。",
    ], [
        "我们不会上门打扰您，有问题电话里沟通就可以。",
        "如果需要面谈，会提前跟您预约，经您同意再安排。",
    ]),
    "impersonation": ("collection", [
        "我是区法院执行局的，你的案子已经立案了。",
        "这里是公安局经侦大队，你涉嫌恶意欠款。",
        "我是派处所的民警，你的带款问题需要配合调查。",
    ], [
        "我不是法院的工作人员，我是平台委托的贷后专员。",
        "如果走诉讼，法院会依法送达正式文书，不会电话通知。",
    ]),
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


@pytest.mark.parametrize("label", list(MORE_CASES))
def test_each_label_on_more_wordings_and_lawful_counterparts(engine, label):
    context, violations, negatives = MORE_CASES[label]
    results = engine.classify([context] * (len(violations) + len(negatives)),
                              [*violations, *negatives])
    for text, result in zip(violations, results[:len(violations)], strict=True):
        assert label in result.labels, (text, result)
    for text, result in zip(negatives, results[len(violations):], strict=True):
        assert result.labels == [], (text, result)


def test_a_label_only_counts_in_its_context(engine):
    sales_only = CASES["false_limit_promise"][1]
    assert engine.classify(["collection"], [sales_only])[0].labels == []
    with pytest.raises(ValueError, match="context 'support'"):
        engine.classify(["support"], ["您好"])


@pytest.mark.parametrize(("context", "text", "label"), [
    ("collection", "开庭时间法院会正式通知双方当事人。", "impersonation"),  # 通知 sounds like 同志
    ("collection", "不好意思打断一下，我核对一下您的还款日。", "threat_intimidation"),
    ("collection", "对账单已经寄到您家了，麻烦查收一下。", "threat_home_visit"),
    ("sales", "这个利率包不包含担保费？", "rate_concealment"),  # 包 sounds like 报
    ("sales", "有人要您先交解冻费的话，请直接挂断，那是骗局。", "intermediary_fee_hint"),
])
def test_rules_leave_lookalikes_alone(engine, context, text, label):
    evidence = engine.classify([context], [text])[0].evidence
    assert not [e for e in evidence if e.label == label and e.rule_id.startswith("CONTENT-")]


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
    assert metrics["micro"]["f1"] >= 0.9, metrics  # measured 0.92: benchmarks/compliance.py
    assert metrics["flagged_compliant"] <= 0.05, metrics


def test_training_and_test_splits_are_disjoint_and_stable():
    corpus = load_corpus()
    train = {e.text for e in corpus if e.split == "train"}
    test = {e.text for e in corpus if e.split == "test"}
    assert not train & test
    assert 0.1 < len(test) / len(corpus) < 0.3
    assert [e.split for e in corpus] == [e.split for e in load_corpus()]
    folds = Counter(e.fold for e in corpus if e.split == "train")  # for choosing thresholds
    assert set(folds) == set(range(content_model.TRAINING["folds"]))
    assert max(folds.values()) < 1.3 * min(folds.values()), folds


def test_the_model_is_trained_and_tuned_on_the_training_split_only(monkeypatch):
    seen = []
    monkeypatch.setattr(content_model, "train",
                        lambda examples, version: seen.extend(examples) or "model")
    assert content_model.load_or_train(None) == "model"
    assert seen and all(e.split == "train" for e in seen)
    assert len(seen) == sum(e.split == "train" for e in load_corpus())


def test_probabilities_cover_only_what_the_context_allows():
    scores = np.zeros((2, len(CLASSES)))
    probabilities = class_probabilities(scores, ["sales", "collection"])
    assert np.allclose(probabilities.sum(axis=1), 1)
    for row, context in enumerate(["sales", "collection"]):
        for j, label in enumerate(LABELS, start=1):
            assert (probabilities[row, j] > 0) == (context in LABEL_CONTEXTS[label])


def test_the_top_label_needs_its_threshold_and_a_second_label_its_own_probability():
    thresholds = np.full(len(LABELS), 0.5)
    first, second = LABELS.index("threat_home_visit") + 1, LABELS.index("threat_intimidation") + 1
    probabilities = np.zeros((3, len(CLASSES)))
    probabilities[0, [0, first, second]] = [0.1, 0.6, 0.3]   # one label
    probabilities[1, [0, first, second]] = [0.1, 0.45, 0.45]  # two labels
    probabilities[2, [0, first, second]] = [0.7, 0.2, 0.1]   # compliant
    given, scores = decide(probabilities, thresholds, second=0.4)
    assert [{LABELS[j] for j in np.flatnonzero(row)} for row in given] == [
        {"threat_home_visit"}, {"threat_home_visit", "threat_intimidation"}, set()]
    assert scores[0, first - 1] == pytest.approx(np.sqrt(0.9 * 0.6))  # violation × label


def test_priced_sales_conversation_without_the_annualised_rate(engine):
    priced = ["您好，我是客户经理。", "分12期的话，每个月还860元。", "您看可以吗？"]
    findings = engine.unmet_statements("sales", priced)
    assert [(i, e.label, e.rule_id) for i, e in findings] == [
        (1, "rate_concealment", "CONTENT-RC-100")]
    disclosed = [*priced, "年化利率是百分之十五点六。"]
    assert engine.unmet_statements("sales", disclosed) == []
    misheard = [*priced, "年华利率是15.6%。"]
    assert engine.unmet_statements("sales", misheard) == []
    bare = ["您好。", "分24期的话，每期大概1280。"]  # an instalment without its unit
    assert [e.rule_id for _, e in engine.unmet_statements("sales", bare)] == ["CONTENT-RC-100"]
    assert engine.unmet_statements("sales", ["每个月15号还款。", "期限有12个月。"]) == []
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
