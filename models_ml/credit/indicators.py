"""The ten communication risk indicators and the application variables of the credit model.

Each indicator is a column of ``marts.fct_customer_communication_features`` (documented in
``dbt/models/marts/credit/_credit__models.yml``), read from what the customer said or did on
the work phones before the as-of date. ``direction`` is the known direction of risk: +1 = a
higher value means a higher chance of default (the model is constrained monotone increasing),
-1 = lower, 0 = unconstrained. The words are the reason-code texts (Chinese, English).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    column: str
    indicator: str          # the behaviour trait (credit.behaviour_effects key) or application
    direction: int          # +1 risk rises with the value, -1 falls, 0 unconstrained
    reason_zh: str          # reason code when it pushes the score down (risk up)
    reason_en: str
    definition: str


INDICATORS: tuple[Variable, ...] = (
    Variable("income_overstatement_ratio", "income_truthfulness", +1,
             "申请收入高于沟通中披露的收入", "Stated income above the income told in chats",
             "application income / median income told to the sales rep"),
    Variable("repayment_plan_resistance_share", "repayment_cooperation", +1,
             "对还款计划不配合", "Resisted the repayment plan",
             "share of answers to the repayment plan that resist it"),
    Variable("promise_kept_share", "promise_keeping", -1,
             "承诺提交的资料未兑现", "Did not send documents as promised",
             "share of promised documents that were then sent"),
    Variable("reply_latency_median_s", "responsiveness", +1,
             "回复消息迟缓", "Slow to reply to messages",
             "median seconds to reply to an agent message"),
    Variable("hostility_share", "hostility", +1,
             "沟通中有敌对情绪", "Hostile in conversations",
             "hostile messages per customer message"),
    Variable("contact_change_rate", "contact_stability", +1,
             "频繁更换联系方式", "Changes contact number often",
             "phone numbers given or changed per chat day"),
    Variable("income_evasion_share", "information_consistency", +1,
             "回避收入等关键信息", "Evasive about income",
             "share of income questions dodged"),
    Variable("question_rate", "engagement", -1,
             "沟通参与度低", "Little engagement in conversations",
             "questions asked per chat day"),
    Variable("complaint_rate", "complaint_propensity", +1,
             "投诉倾向较高", "Prone to complaints",
             "complaints (said or registered) per chat day"),
    Variable("private_channel_request_rate", "private_channel_requests", +1,
             "要求脱离工作手机私下联系", "Asked to move to a private channel",
             "requests for a private channel per chat day"),
)

BUREAU = Variable("bureau_score", "bureau", -1, "征信评分偏低", "Low credit bureau score",
                  "credit bureau score at application")

APPLICATION: tuple[Variable, ...] = (
    BUREAU,
    Variable("installment_to_income", "application", 0, "月供收入比偏高",
             "High instalment relative to income", "instalment / stated monthly income"),
)

FULL: tuple[Variable, ...] = (*APPLICATION, *INDICATORS)
BUREAU_ONLY: tuple[Variable, ...] = (BUREAU,)
BY_COLUMN = {v.column: v for v in FULL}


def columns(variables: tuple[Variable, ...]) -> list[str]:
    return [v.column for v in variables]


def monotone_constraints(variables: tuple[Variable, ...]) -> list[int]:
    return [v.direction for v in variables]
