"""Conduct compliance checks on contact metadata (COMPLIANCE_RULES.md, "Conduct checks").

The rules (``rules/conduct.yaml``) say when, how often, to whom and from where collection and
sales staff may make contact; each check is one set-based DuckDB query over the Hive-partitioned
lake (``<lake>/<feed>/dt=*/*.parquet``) and yields one row per finding: the rule id and version,
the employee, the record that breaks the rule, the debtor's token and a short evidence sentence.

Who is who: collection staff are employees whose latest snapshot role is a collector, field
agent or AI dialer; debtors are the phone numbers (tokens) of loans with a collection case;
customers are debtors and leads. Only tokens ever leave the lake, never clear numbers.

Device clocks drift (a phone set to UTC is eight hours off). Time-of-day and calendar-day rules
therefore use the device time shifted by the device's upload lag (5th percentile of
``uploaded_at`` minus the event time, by the server clock) when that lag exceeds
``device_clock.max_upload_lag_s``: a work phone uploads within seconds, so a larger lag on most
of its records is the device's clock, not the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import duckdb
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, model_validator

from conversation_analytics.conversations import has_feed, lake_relation
from conversation_analytics.rules_files import load_rules_file
from ingestion.lake import Lake
from ingestion.lake_store import LakeStore

RULES_PATH = Path(__file__).parent / "rules" / "conduct.yaml"
COLLECTION_ROLES = ("collector", "field_agent", "ai_dialer")
EARTH_RADIUS_M = 6_371_008.8
FINDINGS_SCHEMA = pa.schema([
    ("rule_id", pa.string()), ("rule_name", pa.string()), ("rule_version", pa.string()),
    ("severity", pa.string()), ("employee_id", pa.string()), ("source_feed", pa.string()),
    ("source_id", pa.string()), ("case_id", pa.string()), ("customer_token", pa.string()),
    ("occurred_at", pa.timestamp("us")), ("evidence", pa.string()),
])
Severity = Literal["low", "medium", "high", "critical"]
SEMVER = r"^\d+\.\d+\.\d+$"


class ConductRulesError(ValueError):
    """A conduct rules file that cannot be used, naming the rule and key at fault."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuietHoursParams(_Strict):
    start_hour: int = Field(ge=0, le=23)
    end_hour: int = Field(ge=0, le=23)

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHoursParams:
        if self.start_hour == self.end_hour:
            raise ValueError("start_hour and end_hour must differ")
        return self


class AnsweredCallLimitParams(_Strict):
    max_answered_per_day: int = Field(ge=0)


class UnansweredDialLimitParams(_Strict):
    max_unanswered_per_day: int = Field(ge=0)


class ThirdPartyContactParams(_Strict):
    min_unanswered_attempts: int = Field(ge=1)


class PrivateChannelParams(_Strict):
    private_apps: tuple[Annotated[str, Field(pattern=r"^[a-z_]+$")], ...] = Field(min_length=1)


class FakeVisitParams(_Strict):
    geofence_radius_m: float = Field(gt=0)
    require_onsite_recording: bool
    gps_window_minutes: int = Field(ge=0)


class _Rule(_Strict):
    id: str = Field(pattern=r"^CONDUCT-[A-Z0-9]+(-[A-Z0-9]+)*$")
    severity: Severity
    source: str = Field(min_length=1)
    version: str = Field(pattern=SEMVER)


class QuietHoursRule(_Rule):
    name: Literal["quiet_hours"]
    params: QuietHoursParams


class AnsweredCallLimitRule(_Rule):
    name: Literal["answered_call_limit"]
    params: AnsweredCallLimitParams


class UnansweredDialLimitRule(_Rule):
    name: Literal["unanswered_dial_limit"]
    params: UnansweredDialLimitParams


class ThirdPartyContactRule(_Rule):
    name: Literal["third_party_contact"]
    params: ThirdPartyContactParams


class PrivateChannelRule(_Rule):
    name: Literal["private_channel"]
    params: PrivateChannelParams


class FakeVisitRule(_Rule):
    name: Literal["fake_visit"]
    params: FakeVisitParams


ConductRule = Annotated[
    QuietHoursRule | AnsweredCallLimitRule | UnansweredDialLimitRule | ThirdPartyContactRule
    | PrivateChannelRule | FakeVisitRule,
    Field(discriminator="name"),
]


class DeviceClock(_Strict):
    max_upload_lag_s: int = Field(gt=0)


class ConductRules(_Strict):
    version: str = Field(pattern=SEMVER)
    device_clock: DeviceClock
    rules: list[ConductRule]

    @model_validator(mode="after")
    def _unique(self) -> ConductRules:
        for key in ("id", "name"):
            values = [getattr(rule, key) for rule in self.rules]
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"rule {key} repeated: {', '.join(repeated)}")
        return self

    def select(self, *names: str) -> ConductRules:
        """The same rule set restricted to the rules called ``names``."""
        unknown = sorted(set(names) - {rule.name for rule in self.rules})
        if unknown:
            raise KeyError(f"no conduct rule named {', '.join(unknown)}")
        return self.model_copy(update={"rules": [r for r in self.rules if r.name in names]})


def load_conduct_rules(path: Path | None = None) -> ConductRules:
    """Read and validate a conduct rules file (default: the packaged ``rules/conduct.yaml``)."""
    return load_rules_file(path or RULES_PATH, ConductRules, ConductRulesError)


@dataclass(frozen=True)
class _Lake:
    root: Path | LakeStore

    def has(self, feed: str) -> bool:
        return has_feed(self.root, feed)

    def scan(self, feed: str) -> str:
        if not self.has(feed):
            raise FileNotFoundError(f"{Lake(self.root).files_glob(feed)}: no partitions; the "
                                    f"conduct checks need the {feed} feed")
        return lake_relation(self.root, feed)


@dataclass(frozen=True)
class _Part:
    """One source of findings for a rule: the event feed it reads, the shared CTEs it needs and
    a select with the columns of ``_FINDING_COLUMNS``."""

    feed: str
    ctes: tuple[str, ...]
    sql: str


_FINDING_COLUMNS = ("employee_id, source_feed, source_id, case_id, customer_token, occurred_at, "
                    "evidence")


def conduct_findings(con: duckdb.DuckDBPyConnection, lake: Path | LakeStore,
                     rules: ConductRules | None = None) -> pa.Table:
    """Every conduct finding in the lake, one row per record that breaks a rule.

    A rule whose event feeds are absent from the lake has nothing to find; the reference feeds
    (employees, loans, collection_cases) must be present.
    """
    rules = load_conduct_rules() if rules is None else rules
    lake = _Lake(lake)
    tables = [_run_rule(con, lake, rules, rule) for rule in rules.rules]
    tables = [t for t in tables if t is not None]
    if not tables:
        return FINDINGS_SCHEMA.empty_table()
    return pa.concat_tables(tables).sort_by([("occurred_at", "ascending"),
                                             ("rule_id", "ascending"),
                                             ("source_id", "ascending")])


def _run_rule(con: duckdb.DuckDBPyConnection, lake: _Lake, rules: ConductRules,
              rule: ConductRule) -> pa.Table | None:
    parts = [p for p in _BUILDERS[rule.name](rule) if lake.has(p.feed)]
    if not parts:
        return None
    needed = ("case_by_phone", *(name for part in parts for name in part.ctes))
    union = "\n    union all\n".join(
        f"select {_FINDING_COLUMNS} from ({part.sql})" for part in parts)
    sql = f"""
    with {_with_clause(lake, rules, needed)},
    findings as ({union})
    select $rule_id as rule_id, $rule_name as rule_name, $rule_version as rule_version,
           $severity as severity, f.employee_id, f.source_feed, f.source_id,
           coalesce(f.case_id, cp.case_id) as case_id, f.customer_token,
           f.occurred_at::timestamp as occurred_at, f.evidence
    from findings f
    asof left join case_by_phone cp
      on cp.phone_token = f.customer_token and f.occurred_at >= cp.assigned_at
    """
    params = {"rule_id": rule.id, "rule_name": rule.name, "rule_version": rule.version,
              "severity": rule.severity}
    return con.execute(sql, params).to_arrow_table().cast(FINDINGS_SCHEMA)


# Shared relations ---------------------------------------------------------------------------

def _staff(lake: _Lake, rules: ConductRules) -> str:
    return f"""select employee_id, arg_max(role, dt) as role
    from {lake.scan('employees')} group by employee_id"""


def _work_phones(lake: _Lake, rules: ConductRules) -> str:
    return f"select distinct employee_id, work_phone_token from {lake.scan('employees')}"


def _debtor_loans(lake: _Lake, rules: ConductRules) -> str:
    return f"""select distinct l.loan_id, l.customer_phone_token, l.emergency_contact_phone_token
    from {lake.scan('loans')} l
    semi join {lake.scan('collection_cases')} c on c.loan_id = l.loan_id"""


def _debtors(lake: _Lake, rules: ConductRules) -> str:
    return "select distinct customer_phone_token as phone_token from debtor_loans"


def _customers(lake: _Lake, rules: ConductRules) -> str:
    leads = (f"\n    union select phone_token from {lake.scan('leads')}"
             if lake.has("leads") else "")
    return f"select phone_token from debtors{leads}"


def _case_by_phone(lake: _Lake, rules: ConductRules) -> str:
    """Every case assignment keyed by the debtor's phone token, for the ASOF lookup of the case
    assigned most recently before a finding."""
    return f"""select l.customer_phone_token as phone_token, c.case_id, c.assigned_at
    from {lake.scan('collection_cases')} c join {lake.scan('loans')} l using (loan_id)"""


def _clock(feed: str, event_at: str) -> Callable[[_Lake, ConductRules], str]:
    def sql(lake: _Lake, rules: ConductRules) -> str:
        limit = rules.device_clock.max_upload_lag_s
        return f"""select device_id,
        case when abs(lag_s) > {limit} then lag_s else 0 end::bigint as offset_s
    from (select device_id,
                 quantile_disc(epoch(uploaded_at) - epoch({event_at}), 0.05) as lag_s
          from {lake.scan(feed)} group by device_id)"""
    return sql


def _calls_local(lake: _Lake, rules: ConductRules) -> str:
    return f"""select c.call_id, c.employee_id, c.local_number_token, c.remote_number_token,
           c.direction, c.answered_at is not null as answered,
           coalesce(k.offset_s, 0) as offset_s,
           c.started_at + to_seconds(coalesce(k.offset_s, 0)) as local_at
    from {lake.scan('calls')} c left join call_clock k using (device_id)"""


def _sms_local(lake: _Lake, rules: ConductRules) -> str:
    return f"""select s.sms_id, s.employee_id, s.remote_number_token, s.direction,
           coalesce(k.offset_s, 0) as offset_s,
           s.sent_at + to_seconds(coalesce(k.offset_s, 0)) as local_at
    from {lake.scan('sms')} s left join sms_clock k using (device_id)"""


def _collection_only(source: str) -> Callable[[_Lake, ConductRules], str]:
    roles = ", ".join(f"'{role}'" for role in COLLECTION_ROLES)

    def sql(lake: _Lake, rules: ConductRules) -> str:
        return f"""select x.* from {source} x join staff s using (employee_id)
    where x.direction = 'outbound' and s.role in ({roles})"""
    return sql


def _feed(feed: str) -> Callable[[_Lake, ConductRules], str]:
    def sql(lake: _Lake, rules: ConductRules) -> str:
        return f"select * from {lake.scan(feed)}"
    return sql


def _third_party_calls(lake: _Lake, rules: ConductRules) -> str:
    """Collection calls to a number some debtor named as emergency contact (and that is no
    debtor's own number), once per naming debtor."""
    return """select c.*, t.debtor_token
    from collection_calls c
    join (select distinct emergency_contact_phone_token as contact_token,
                 customer_phone_token as debtor_token from debtor_loans) t
      on c.remote_number_token = t.contact_token
    where not exists (select 1 from debtors d where d.phone_token = c.remote_number_token)"""


def _debtor_attempts(lake: _Lake, rules: ConductRules) -> str:
    """Collection dials to debtors on the days their contacts were called, with the run of
    unanswered dials (that calendar day) that ends at each: 0 for an answered dial, k for the
    k-th unanswered dial in a row."""
    return """select phone_token, local_at, day,
           rn - coalesce(max(case when answered then rn end) over (
               partition by phone_token, day order by rn
               rows between unbounded preceding and current row), 0) as unanswered_streak
    from (select c.remote_number_token as phone_token, c.local_at, c.local_at::date as day,
                 c.answered,
                 row_number() over (partition by c.remote_number_token, c.local_at::date
                                    order by c.local_at, c.call_id) as rn
          from collection_calls c
          semi join (select distinct debtor_token, local_at::date as day
                     from third_party_calls) t
            on c.remote_number_token = t.debtor_token and c.local_at::date = t.day)"""


def _with_clause(lake: _Lake, rules: ConductRules, names: tuple[str, ...]) -> str:
    """The CTEs ``names`` and what they depend on, each defined once before its first use."""
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        for dependency in _CTES[name][1]:
            visit(dependency)
        ordered.append(name)

    for name in names:
        visit(name)
    return ",\n    ".join(f"{name} as ({_CTES[name][0](lake, rules)})"
                          for name in ordered)


def _haversine_m(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    """Great-circle distance in metres between two points given as SQL expressions."""
    return (f"2 * {EARTH_RADIUS_M} * asin(sqrt(least(1, "
            f"power(sin(radians({lat2} - {lat1}) / 2), 2) + cos(radians({lat1})) "
            f"* cos(radians({lat2})) * power(sin(radians({lon2} - {lon1}) / 2), 2))))")


def _clock_note(offset: str) -> str:
    return (f"case when {offset} <> 0 then printf('（设备时钟已按上传时间校正 %+d 秒）', {offset}) "
            "else '' end")


def _minute(column: str) -> str:
    return f"strftime({column}, '%Y-%m-%d %H:%M')"


# Rules ------------------------------------------------------------------------------------

def _quiet_hours(rule: QuietHoursRule) -> list[_Part]:
    """Collection calls and SMS to a debtor's number that start in the quiet window (local
    time after clock correction), e.g. 22:00:00 through 07:59:59."""
    start, end = rule.params.start_hour, rule.params.end_hour
    joint = "or" if start > end else "and"
    window = f"{start:02d}:00–{end:02d}:00"

    def in_window(column: str) -> str:
        return f"(hour({column}) >= {start} {joint} hour({column}) < {end})"

    calls = f"""select c.employee_id, 'calls' as source_feed, c.call_id as source_id,
           null as case_id, c.remote_number_token as customer_token, c.local_at as occurred_at,
           printf('%s 向债务人拨出催收电话（%s），处于 {window} 禁止催收时段%s',
                  {_minute('c.local_at')},
                  case when c.answered then '已接通' else '未接通' end,
                  {_clock_note('c.offset_s')}) as evidence
    from collection_calls c semi join debtors d on c.remote_number_token = d.phone_token
    where {in_window('c.local_at')}"""
    sms = f"""select s.employee_id, 'sms' as source_feed, s.sms_id as source_id,
           null as case_id, s.remote_number_token as customer_token, s.local_at as occurred_at,
           printf('%s 向债务人发送催收短信，处于 {window} 禁止催收时段%s', {_minute('s.local_at')},
                  {_clock_note('s.offset_s')}) as evidence
    from collection_sms s semi join debtors d on s.remote_number_token = d.phone_token
    where {in_window('s.local_at')}"""
    return [_Part("calls", ("collection_calls", "debtors"), calls),
            _Part("sms", ("collection_sms", "debtors"), sms)]


def _daily_limit(answered: bool, limit: int, debtors_only: bool, noun: str) -> str:
    """Collection dials (answered or not) per remote number and local calendar day: the dial
    that goes one past ``limit``, with the day's total."""
    scope = "semi join debtors d on c.remote_number_token = d.phone_token" if debtors_only else ""
    return f"""select employee_id, 'calls' as source_feed, call_id as source_id, null as case_id,
           remote_number_token as customer_token, local_at as occurred_at,
           printf('%s 为当日对同一号码第 %d 次{noun}，超过每日 %d 次上限（当日共 %d 次）%s',
                  {_minute('local_at')}, k, {limit}, n, {_clock_note('offset_s')}) as evidence
    from (select c.*,
                 row_number() over (partition by c.remote_number_token, c.local_at::date
                                    order by c.local_at, c.call_id) as k,
                 count(*) over (partition by c.remote_number_token, c.local_at::date) as n
          from collection_calls c {scope}
          where {'' if answered else 'not '}c.answered)
    where k = {limit + 1}"""


def _answered_call_limit(rule: AnsweredCallLimitRule) -> list[_Part]:
    """More than the limit of answered collection calls (human and AI dialer alike) to one
    debtor's number in one local calendar day; the finding is the first call past it."""
    sql = _daily_limit(True, rule.params.max_answered_per_day, True, "接通的催收电话（含智能外呼）")
    return [_Part("calls", ("collection_calls", "debtors"), sql)]


def _unanswered_dial_limit(rule: UnansweredDialLimitRule) -> list[_Part]:
    """More than the limit of unanswered collection dials to any one number in one local
    calendar day; the finding is the first dial past it."""
    sql = _daily_limit(False, rule.params.max_unanswered_per_day, False, "未接通的催收拨打")
    return [_Part("calls", ("collection_calls",), sql)]


def _third_party_contact(rule: ThirdPartyContactRule) -> list[_Part]:
    """Calls (answered or not) by collection staff to a debtor's emergency contact while the
    debtor was not shown unreachable.

    GB/T 45251-2025 and the CBA guideline allow contacting third parties only when the debtor
    cannot be reached. Here the debtor counts as unreachable at the moment of the contact call
    when, on the same local calendar day, the latest collection dials to the debtor's own number
    before it were at least ``min_unanswered_attempts`` unanswered dials in a row. A contact call
    is a finding when no dial to the debtor preceded it that day, or the latest one was
    answered, or the run of unanswered dials was shorter than required. A number that is itself
    a debtor's is treated as that debtor, not as a third party; a contact named by several
    debtors is justified when any of them was unreachable.
    """
    needed = rule.params.min_unanswered_attempts
    sql = f"""select employee_id, 'calls' as source_feed, call_id as source_id, null as case_id,
           debtor_token as customer_token, local_at as occurred_at,
           printf('%s 拨打债务人紧急联系人电话（%s）；%s%s', {_minute('local_at')},
                  case when answered then '已接通' else '未接通' end,
                  case when last_at is null then '当天此前未拨打债务人本人电话'
                       when streak = 0 then printf('债务人本人当天 %s 接通过电话，并非无法联系',
                                                   strftime(last_at, '%H:%M'))
                       else printf('此前仅连续 %d 次拨打债务人本人未接通（要求至少 %d 次）',
                                   streak, {needed}) end,
                  {_clock_note('offset_s')}) as evidence
    from (select c.*,
                 case when a.day = c.local_at::date then a.local_at end as last_at,
                 case when a.day = c.local_at::date then a.unanswered_streak end as streak
          from third_party_calls c
          asof left join debtor_attempts a
            on a.phone_token = c.debtor_token and c.local_at > a.local_at
          qualify row_number() over (partition by c.call_id
                                     order by coalesce(streak >= {needed}, false) desc,
                                              c.debtor_token) = 1)
    where not coalesce(streak >= {needed}, false)"""
    return [_Part("calls", ("third_party_calls", "debtor_attempts"), sql)]


def _private_channel(rule: PrivateChannelRule) -> list[_Part]:
    """Work done outside the work channels, by collection staff and sales reps alike: a call
    with a customer (debtor or lead) over a local number that is none of the employee's work
    numbers, a friend add in a private chat app, and the first message of each chat held in
    one."""
    apps = ", ".join(f"'{app}'" for app in rule.params.private_apps)
    calls = f"""select c.employee_id, 'calls' as source_feed, c.call_id as source_id,
           null as case_id, c.remote_number_token as customer_token, c.local_at as occurred_at,
           printf('%s 用非工作号的本机号码%s客户电话，未使用登记的工作手机号',
                  {_minute('c.local_at')},
                  case when c.direction = 'outbound' then '拨打' else '接听' end) as evidence
    from calls_local c semi join customers u on c.remote_number_token = u.phone_token
    where exists (select 1 from work_phones w where w.employee_id = c.employee_id)
      and not exists (select 1 from work_phones w where w.employee_id = c.employee_id
                      and w.work_phone_token = c.local_number_token)"""
    adds = f"""select employee_id, 'friend_adds' as source_feed, event_id as source_id,
           null as case_id, peer_phone_token as customer_token, added_at as occurred_at,
           printf('%s 在私人聊天账号（%s）添加联系人，未使用企业微信/工作账号',
                  {_minute('added_at')}, app) as evidence
    from friend_adds where app in ({apps})"""
    chats = f"""select employee_id, 'messages' as source_feed, message_id as source_id,
           null as case_id, peer_id_token as customer_token, sent_at as occurred_at,
           printf('%s 起通过私人聊天账号（%s）与该联系人聊天，共 %d 条消息',
                  {_minute('sent_at')}, app, n) as evidence
    from (select *, row_number() over (partition by employee_id, peer_id_token
                                       order by sent_at, message_id) as k,
                 count(*) over (partition by employee_id, peer_id_token) as n
          from messages where app in ({apps}))
    where k = 1"""
    return [_Part("calls", ("calls_local", "customers", "work_phones"), calls),
            _Part("friend_adds", ("friend_adds",), adds),
            _Part("messages", ("messages",), chats)]


def _fake_visit(rule: FakeVisitRule) -> list[_Part]:
    """Field visits that do not count: the visit's check-in nearest the debtor's home (loan of
    the visited case) lies outside the geofence, or (when required) none of its check-ins has
    an on-site recording. The distance to the nearest GPS ping of the same device around the
    check-in is quoted as evidence."""
    radius = rule.params.geofence_radius_m
    window = rule.params.gps_window_minutes
    need_recording = "true" if rule.params.require_onsite_recording else "false"
    sql = f"""select v.employee_id, 'visit_checkins' as source_feed, v.checkin_id as source_id,
           v.case_id, v.customer_token, v.checked_in_at as occurred_at,
           printf('%s 外访签到距债务人住址 %.0f 米（电子围栏 %.0f 米）%s%s',
                  {_minute('v.checked_in_at')}, v.dist_m, {radius},
                  case when v.has_recording then '' else '，无现场录音' end,
                  case when p.nearest_m is null then '，签到前后 {window} 分钟无 GPS 轨迹'
                       else printf('，签到前后 {window} 分钟 GPS 轨迹最近 %.0f 米', p.nearest_m)
                  end) as evidence
    from visits v left join ping_distance p using (visit_id)
    where v.dist_m > {radius} or ({need_recording} and not v.has_recording)"""
    return [_Part("visit_checkins", ("visits", "ping_distance"), sql)]


def _visits(lake: _Lake, rules: ConductRules) -> str:
    """Per visit, the check-in nearest the debtor's home and whether any check-in recorded."""
    return f"""select *, bool_or(recording_ref is not null) over (partition by visit_id)
               as has_recording
    from (select v.checkin_id, v.visit_id, v.case_id, v.employee_id, v.device_id,
                 v.checked_in_at, v.recording_ref, h.customer_token, h.home_lat, h.home_lon,
                 {_haversine_m('v.lat', 'v.lon', 'h.home_lat', 'h.home_lon')} as dist_m
          from {lake.scan('visit_checkins')} v
          join (select distinct c.case_id, l.customer_phone_token as customer_token,
                       l.home_lat, l.home_lon
                from {lake.scan('collection_cases')} c join {lake.scan('loans')} l
                using (loan_id)) h using (case_id))
    qualify row_number() over (partition by visit_id order by dist_m, checkin_id) = 1"""


def _ping_distance(lake: _Lake, rules: ConductRules) -> str:
    if not lake.has("gps_pings"):
        return "select null::varchar as visit_id, null::double as nearest_m where false"
    window = next(r.params.gps_window_minutes for r in rules.rules if r.name == "fake_visit")
    return f"""select v.visit_id,
           min({_haversine_m('p.lat', 'p.lon', 'v.home_lat', 'v.home_lon')}) as nearest_m
    from visits v join {lake.scan('gps_pings')} p
      on p.device_id = v.device_id
     and p.recorded_at between v.checked_in_at - to_minutes({window})
                           and v.checked_in_at + to_minutes({window})
    group by v.visit_id"""


_BUILDERS: dict[str, Callable[..., list[_Part]]] = {
    "quiet_hours": _quiet_hours,
    "answered_call_limit": _answered_call_limit,
    "unanswered_dial_limit": _unanswered_dial_limit,
    "third_party_contact": _third_party_contact,
    "private_channel": _private_channel,
    "fake_visit": _fake_visit,
}

_CTES: dict[str, tuple[Callable[[_Lake, ConductRules], str], tuple[str, ...]]] = {
    "staff": (_staff, ()),
    "work_phones": (_work_phones, ()),
    "debtor_loans": (_debtor_loans, ()),
    "debtors": (_debtors, ("debtor_loans",)),
    "customers": (_customers, ("debtors",)),
    "case_by_phone": (_case_by_phone, ()),
    "call_clock": (_clock("calls", "ended_at"), ()),
    "sms_clock": (_clock("sms", "sent_at"), ()),
    "calls_local": (_calls_local, ("call_clock",)),
    "sms_local": (_sms_local, ("sms_clock",)),
    "collection_calls": (_collection_only("calls_local"), ("calls_local", "staff")),
    "collection_sms": (_collection_only("sms_local"), ("sms_local", "staff")),
    "third_party_calls": (_third_party_calls, ("collection_calls", "debtor_loans", "debtors")),
    "debtor_attempts": (_debtor_attempts, ("third_party_calls",)),
    "friend_adds": (_feed("friend_adds"), ()),
    "messages": (_feed("messages"), ()),
    "visits": (_visits, ()),
    "ping_distance": (_ping_distance, ("visits",)),
}
