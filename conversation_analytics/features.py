"""Conversation features: structure, wording and promises of every call and chat.

All functions take a DuckDB connection on which ``conversation_turns`` is registered (see
:mod:`conversation_analytics.conversations`) and return ``pyarrow.Table``s. The structural
features are set-based SQL over the whole relation; the wording features match the versioned
lexicon ``rules/lexicon.yaml`` in SQL (RE2), after rewriting common ASR homophones
(于七 → 逾期, 年华 → 年化, ...). Only the candidate promise turns are parsed in Python.

:func:`conversation_features`, one row per conversation:

    conversation_id, medium, context, employee_id, customer_token, conversation_start
    turns              every turn; agent_turns / customer_turns those of each party
    agent_talk_s       calls: seconds the agent speaks (sum of end_s - start_s of its turns);
    customer_talk_s    the same for the customer; both null for chats (a message has no length)
    talk_listen_ratio  calls: agent_talk_s / customer_talk_s (null when the customer is silent)
    silence_s          calls: seconds between the start of the first and the end of the last
                       turn during which nobody speaks (the span minus the union of all turns)
    silence_share      calls: silence_s / that span
    interruptions      calls: agent or customer turns that start before the other party's
                       latest earlier turn has ended
    first_response_s   chats: seconds from the customer's first message to the agent's next
                       message (the agent's response time; null if either never comes)
    rounds             agent↔customer exchanges: consecutive agent / customer turns are merged
                       into runs and every two runs make one round, ceil(changes of party / 2);
                       turns of an unknown speaker are left out
    hostility_score    0-1: 1 - prod(1 - w) over turns, w being the weight of the heaviest
                       hostile (customer) or abusive (agent) lexicon entry the turn matches
    intent_tag         sales only: '<level>-<product>' (e.g. 高意向-汽车分期, 观望-消费贷) or
                       '无意向'; a customer turn takes the first intent level it matches, the
                       conversation the level of most turns (earliest on a tie); the product is
                       the first product entry any turn mentions, else the lexicon's default;
                       null when the customer states no intent
    demand_keywords    sales only: labels of the demand entries the customer's turns match
    objections         sales only: labels of the objection entries the customer's turns match
    pitch              sales only: the pitch label matched by more agent turns; null on a tie
    promise_count      rows of :func:`promises_to_pay` for the conversation
    lexicon_version    version of the lexicon the wording features come from

:func:`promises_to_pay`, one row per promise: a customer turn of a collection conversation that
commits to paying (lexicon ``promises.commitment``, neither vague, refusing nor asking) and names
an amount or a date. ``amount_cny`` is the first amount in the turn (digits or Chinese numerals,
元 / 块 optional, counts like 6期 excluded); ``promised_date`` resolves the most specific date
expression against the conversation's start: 3月15日 (next year when already past), 15号,
下周五 / 周五, 月底 / 月中 / 年底, 明天 / 后天, 3天后.

:func:`customer_features`, one row per customer_token: conversation counts by medium and
context, first / last contact, mean first response, mean rounds, mean and max hostility, latest
intent tag, the set of demands, objection counts and the promises made (count and amount).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cn2an
import duckdb
import polars as pl
import pyarrow as pa
import yaml

LEXICON_PATH = Path(__file__).parent / "rules" / "lexicon.yaml"
SPEAKERS = ("customer", "agent", "any")


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: a label, whose turns it reads, and its patterns."""

    id: str
    version: int
    label: str
    speaker: str
    pattern: str
    exclude: str | None
    weight: float = 1.0


@dataclass(frozen=True)
class Lexicon:
    version: str
    homophones: tuple[tuple[str, str], ...]   # (RE2 alternation of variants, term)
    intents: tuple[Entry, ...]
    products: tuple[Entry, ...]
    default_product: str
    demands: tuple[Entry, ...]
    objections: tuple[Entry, ...]
    pitches: tuple[Entry, ...]
    hostility: tuple[Entry, ...]
    commitment: Entry
    money: dict[str, Any]
    dates: dict[str, Any]


def _alternation(patterns: list[str] | None) -> str | None:
    return "|".join(f"(?:{p})" for p in patterns) if patterns else None


def _entry(spec: dict[str, Any], where: str) -> Entry:
    for key in ("id", "version", "patterns"):
        if key not in spec:
            raise ValueError(f"{LEXICON_PATH.name}: an entry in {where} lacks {key!r}: {spec}")
    speaker = spec.get("speaker", "any")
    if speaker not in SPEAKERS:
        raise ValueError(f"{LEXICON_PATH.name}: entry {spec['id']} has speaker {speaker!r}; "
                         f"use one of {SPEAKERS}")
    weight = float(spec.get("weight", 1.0))
    if where == "hostility" and not 0 < weight < 1:
        raise ValueError(f"{LEXICON_PATH.name}: hostility entry {spec['id']} needs 0 < weight < 1")
    return Entry(id=spec["id"], version=int(spec["version"]), label=spec.get("label", spec["id"]),
                 speaker=speaker, pattern=_alternation(spec["patterns"]) or "",
                 exclude=_alternation(spec.get("exclude")), weight=weight)


@cache
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = {key: tuple(_entry(s, key) for s in data[key])
               for key in ("demands", "objections", "pitches", "hostility")}
    promises = data["promises"]
    return Lexicon(
        version=str(data["version"]),
        homophones=tuple(("|".join(h["variants"]), h["term"]) for h in data["homophones"]),
        intents=tuple(_entry(s, "intent") for s in data["intent"]["levels"]),
        products=tuple(_entry(s, "intent") for s in data["intent"]["products"]["entries"]),
        default_product=data["intent"]["products"]["default"],
        commitment=_entry(promises["commitment"], "promises"),
        money=promises["money"], dates=promises["dates"], **entries)


# --- SQL building blocks -------------------------------------------------------------------

def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _normalised(lex: Lexicon, column: str = "text") -> str:
    """SQL expression: the text with every ASR homophone of a lexicon term rewritten."""
    expr = f"coalesce({column}, '')"
    for variants, term in lex.homophones:
        expr = f"regexp_replace({expr}, {_lit(variants)}, {_lit(term)}, 'g')"
    return expr


def _matches(entry: Entry) -> str:
    """SQL boolean: this turn is read by the entry and matches it."""
    cond = [] if entry.speaker == "any" else [f"speaker = {_lit(entry.speaker)}"]
    cond.append(f"regexp_matches(norm, {_lit(entry.pattern)})")
    if entry.exclude:
        cond.append(f"not regexp_matches(norm, {_lit(entry.exclude)})")
    return "(" + " and ".join(cond) + ")"


def _labels(entries: tuple[Entry, ...], prefix: str) -> str:
    """SQL list of the labels whose per-conversation hit count is positive."""
    items = ", ".join(f"case when {prefix}{i} > 0 then {_lit(e.label)} end"
                      for i, e in enumerate(entries))
    return f"list_distinct(list_filter([{items}], x -> x is not null))"


def _hit_columns(lex: Lexicon) -> str:
    cols = []
    for prefix, entries in (("dem", lex.demands), ("obj", lex.objections),
                            ("pit", lex.pitches), ("prd", lex.products)):
        cols += [f"{_matches(e)}::int as {prefix}{i}" for i, e in enumerate(entries)]
    level = " ".join(f"when {_matches(e)} then {i}" for i, e in enumerate(lex.intents))
    cols.append(f"case when speaker = 'customer' then case {level} end end as intent_level")
    weight = ", ".join(f"case when {_matches(e)} then {e.weight} else 0 end"
                       for e in lex.hostility)
    cols.append(f"greatest(0, {weight}) as hostile_w")
    return ",\n                ".join(cols)


def _sum_columns(lex: Lexicon) -> str:
    cols = []
    for prefix, entries in (("dem", lex.demands), ("obj", lex.objections),
                            ("pit", lex.pitches), ("prd", lex.products)):
        cols += [f"sum({prefix}{i}) as {prefix}{i}" for i in range(len(entries))]
    return ", ".join(cols)


def _pitch(lex: Lexicon) -> str:
    """SQL: the pitch label with strictly the highest weighted hits (null when none or tied)."""
    scores: dict[str, list[str]] = {}
    for i, e in enumerate(lex.pitches):
        scores.setdefault(e.label, []).append(f"{e.weight} * w.pit{i}")
    score = {label: "(" + " + ".join(terms) + ")" for label, terms in scores.items()}
    whens = " ".join(
        f"when {s} > 0 and {' and '.join(f'{o} < {s}' for o in score.values() if o != s) or 'true'}"
        f" then {_lit(label)}" for label, s in score.items())
    return f"case {whens} end"


def _product(lex: Lexicon) -> str:
    whens = " ".join(f"when prd{i} > 0 then {_lit(e.label)}" for i, e in enumerate(lex.products))
    return f"case {whens} else {_lit(lex.default_product)} end"


def _intent_tag(lex: Lexicon) -> str:
    labels = ", ".join(_lit(e.label) for e in lex.intents)
    none_label = _lit(lex.intents[0].label)
    return (f"case when w.context = 'sales' and i.level is not null then "
            f"case when [{labels}][i.level + 1] = {none_label} then {none_label} "
            f"else [{labels}][i.level + 1] || '-' || {_product(lex)} end end")


def _features_sql(lex: Lexicon) -> str:
    return f"""
    with turns as (
        select *, {_normalised(lex)} as norm,
            speaker in ('agent', 'customer') as known
        from conversation_turns
    ),
    timed as (
        select *,
            max(end_s) over (partition by conversation_id order by start_s, turn_index
                rows between unbounded preceding and 1 preceding) as covered_until,
            case when known then lag(speaker) over (partition by conversation_id, known
                order by turn_index) end as prev_party,
            case speaker
                when 'agent' then last_value(case when speaker = 'customer' then end_s end
                    ignore nulls) over w_prev
                when 'customer' then last_value(case when speaker = 'agent' then end_s end
                    ignore nulls) over w_prev
            end as other_end,
            min(case when speaker = 'customer' then turn_index end)
                over (partition by conversation_id) as first_customer_turn
        from turns
        window w_prev as (partition by conversation_id order by turn_index
            rows between unbounded preceding and 1 preceding)
    ),
    structure as (
        select conversation_id,
            any_value(medium) as medium, any_value(context) as context,
            any_value(employee_id) as employee_id, any_value(customer_token) as customer_token,
            min(conversation_start) as conversation_start,
            count(*) as turns,
            count(*) filter (speaker = 'agent') as agent_turns,
            count(*) filter (speaker = 'customer') as customer_turns,
            coalesce(sum(end_s - start_s) filter (speaker = 'agent'), 0) as agent_talk,
            coalesce(sum(end_s - start_s) filter (speaker = 'customer'), 0) as customer_talk,
            coalesce(sum(greatest(start_s - covered_until, 0)), 0) as silence,
            max(end_s) - min(start_s) as span,
            count(*) filter (start_s < other_end) as interruptions,
            min(start_s) filter (speaker = 'agent' and turn_index > first_customer_turn)
                - min(start_s) filter (turn_index = first_customer_turn) as first_response,
            count(*) filter (prev_party is not null and prev_party <> speaker) as party_changes
        from timed
        group by conversation_id
    ),
    hits as (
        select conversation_id, turn_index, context,
                {_hit_columns(lex)}
        from turns
    ),
    wording as (
        select conversation_id, any_value(context) as context, {_sum_columns(lex)},
            1 - exp(sum(ln(1 - hostile_w))) as hostility_score
        from hits
        group by conversation_id
    ),
    levels as (
        select conversation_id, intent_level, count(*) as n, min(turn_index) as first_turn
        from hits
        where intent_level is not null and context = 'sales'
        group by all
    ),
    intent as (
        select conversation_id,
            first(intent_level order by n desc, first_turn) as level
        from levels
        group by conversation_id
    )
    select s.conversation_id, s.medium, s.context, s.employee_id, s.customer_token,
        s.conversation_start, s.turns, s.agent_turns, s.customer_turns,
        case when s.medium = 'call' then s.agent_talk end as agent_talk_s,
        case when s.medium = 'call' then s.customer_talk end as customer_talk_s,
        case when s.medium = 'call' then s.agent_talk / nullif(s.customer_talk, 0) end
            as talk_listen_ratio,
        case when s.medium = 'call' then s.silence end as silence_s,
        case when s.medium = 'call' then s.silence / nullif(s.span, 0) end as silence_share,
        case when s.medium = 'call' then s.interruptions end as interruptions,
        case when s.medium = 'chat' then s.first_response end as first_response_s,
        cast(ceil(s.party_changes / 2) as bigint) as rounds,
        w.hostility_score,
        {_intent_tag(lex)} as intent_tag,
        case when w.context = 'sales' then {_labels(lex.demands, 'w.dem')} end
            as demand_keywords,
        case when w.context = 'sales' then {_labels(lex.objections, 'w.obj')} end
            as objections,
        case when w.context = 'sales' then {_pitch(lex)} end as pitch,
        {_lit(lex.version)} as lexicon_version
    from structure s
    join wording w using (conversation_id)
    left join intent i using (conversation_id)
    order by s.conversation_start, s.conversation_id
    """


# --- promises --------------------------------------------------------------------------------

def _promise_candidates_sql(lex: Lexicon) -> str:
    return f"""
    with turns as (
        select *, {_normalised(lex)} as norm from conversation_turns
        where context = 'collection' and speaker = 'customer'
    )
    select conversation_id, source_id, turn_index, customer_token, conversation_start, text,
        norm
    from turns
    where {_matches(lex.commitment)}
    order by conversation_id, turn_index
    """


def _number(token: str) -> float | None:
    """A number written in digits (optionally with 万 / 千) or in Chinese numerals."""
    multiplier = {"万": 10_000, "千": 1_000}.get(token[-1], 1)
    digits = token[:-1] if multiplier > 1 and token[:-1] else token
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", digits):
        return float(digits) * multiplier
    if not re.search("[零〇一二两三四五六七八九十]", token):
        return None
    try:
        return float(cn2an.cn2an(token, "smart"))
    except (ValueError, KeyError):
        return None


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def parse_amount(text: str, lex: Lexicon | None = None) -> float | None:
    """The first amount of money in ``text`` (CNY), or None."""
    money = (lex or load_lexicon()).money
    not_after = tuple(money["not_money_after"].split("|"))
    verbs = money["verbs"].split("|")
    money_re = _compiled(f"(?P<num>{money['number']})\\s*(?P<unit>{money['units']})?")
    for m in money_re.finditer(text):
        token, unit = m.group("num"), m.group("unit")
        if not unit and text[m.end():].startswith(not_after):
            continue
        chinese = not token[0].isdigit()
        if chinese and not unit and not any(v in text[max(0, m.start() - 2):m.start()]
                                            for v in verbs):
            continue
        value = _number(token)
        if value is not None and value >= money["min_amount_cny"]:
            return value
    return None


def _day_number(token: str) -> int | None:
    value = _number(token)
    return int(value) if value is not None else None


def _add_months(day: dt.date, months: int, on: int | str) -> dt.date:
    """A day ``months`` after ``day``'s month: day ``on`` of it, or its last day for 'end'."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if on == "end" else min(int(on), last))


def _absolute(m: re.Match[str], start: dt.date) -> dt.date | None:
    month, day = _day_number(m.group("month")), _day_number(m.group("day"))
    try:
        when = dt.date(start.year, month or 0, day or 0)
    except ValueError:
        return None
    return when if when >= start else when.replace(year=start.year + 1)


def _day_of_month(m: re.Match[str], start: dt.date) -> dt.date | None:
    day = _day_number(m.group("day"))
    if not day or day > 31:
        return None
    if m.group("next"):
        return _add_months(start, 1, day)
    this = _add_months(start, 0, day)
    return this if this >= start else _add_months(start, 1, day)


def _weekday(m: re.Match[str], start: dt.date, weekdays: dict[str, int]) -> dt.date:
    weeks = {"下下": 2, "下": 1}.get(m.group("when") or "", 0)
    monday = start - dt.timedelta(days=start.weekday())
    when = monday + dt.timedelta(days=7 * weeks + weekdays[m.group("wd")])
    return when + dt.timedelta(days=7) if when < start and not m.group("when") else when


def _period(text: str, start: dt.date, periods: dict[str, Any]) -> dt.date | None:
    for word, on in periods.items():
        at = text.find(word)
        if at < 0:
            continue
        if on == "year_end":
            return dt.date(start.year, 12, 31)
        when = _add_months(start, int(text[:at].endswith(("下个", "下"))), on)
        return when if when >= start else _add_months(start, 1, on)
    return None


def parse_promised_date(text: str, start: dt.date, lex: Lexicon | None = None) -> dt.date | None:
    """The most specific date expression of ``text`` resolved against ``start``, or None."""
    dates = (lex or load_lexicon()).dates
    res = {k: _compiled(dates[k]) for k in ("absolute", "day_of_month", "weekday", "in_days")}
    if (m := res["absolute"].search(text)) and (when := _absolute(m, start)):
        return when
    if (m := res["day_of_month"].search(text)) and (when := _day_of_month(m, start)):
        return when
    if m := res["weekday"].search(text):
        return _weekday(m, start, dates["weekdays"])
    if when := _period(text, start, dates["periods"]):
        return when
    for word, days in sorted(dates["relative_days"].items(), key=lambda kv: -len(kv[0])):
        if word in text:
            return start + dt.timedelta(days=days)
    if (m := res["in_days"].search(text)) and (n := _day_number(m.group("n"))):
        return start + dt.timedelta(days=n)
    return None


def _without_dates(text: str, lex: Lexicon) -> str:
    """``text`` with date expressions blanked, so that their numbers are not read as money."""
    for key in ("absolute", "day_of_month", "in_days"):
        text = _compiled(lex.dates[key]).sub(lambda m: " " * len(m.group(0)), text)
    return text


PROMISE_SCHEMA = pa.schema([
    ("conversation_id", pa.string()), ("source_id", pa.string()), ("turn_index", pa.int64()),
    ("customer_token", pa.string()), ("amount_cny", pa.float64()),
    ("promised_date", pa.date32()), ("text", pa.string()),
])


def promises_to_pay(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """One row per promise to pay found in a collection conversation (see the module doc)."""
    lex = load_lexicon()
    rows = con.sql(_promise_candidates_sql(lex)).pl().to_dicts()
    out = []
    for row in rows:
        start = row["conversation_start"].date()
        amount = parse_amount(_without_dates(row["norm"], lex), lex)
        when = parse_promised_date(row["norm"], start, lex)
        if amount is None and when is None:
            continue
        out.append({k: row[k] for k in ("conversation_id", "source_id", "turn_index",
                                        "customer_token", "text")}
                   | {"amount_cny": amount, "promised_date": when})
    return pa.Table.from_pylist(out, schema=PROMISE_SCHEMA)


# --- public tables ---------------------------------------------------------------------------

def _features_and_promises(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pa.Table]:
    promises = promises_to_pay(con)
    counts = (pl.from_arrow(promises.select(["conversation_id"]))
              .group_by("conversation_id").agg(pl.len().cast(pl.Int64).alias("promise_count")))
    features = (con.sql(_features_sql(load_lexicon())).pl()
                .join(counts, on="conversation_id", how="left", maintain_order="left")
                .with_columns(pl.col("promise_count").fill_null(0)))
    order = [c for c in features.columns if c != "lexicon_version"] + ["lexicon_version"]
    return features.select(order), promises


def conversation_features(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """One row per conversation with the features defined in the module docstring."""
    return _features_and_promises(con)[0].to_arrow()


def customer_features(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """One row per customer_token: aggregates over the customer's conversations and promises."""
    return _customers(*_features_and_promises(con))


def feature_tables(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(conversation features, customer features, promises to pay), computed once."""
    features, promises = _features_and_promises(con)
    return features.to_arrow(), _customers(features, promises), promises


def _customers(features: pl.DataFrame, promises: pa.Table) -> pa.Table:
    features = features.filter(pl.col("customer_token").is_not_null())
    by_customer = features.group_by("customer_token").agg(
        pl.len().cast(pl.Int64).alias("conversations"),
        (pl.col("medium") == "call").sum().cast(pl.Int64).alias("calls"),
        (pl.col("medium") == "chat").sum().cast(pl.Int64).alias("chats"),
        (pl.col("context") == "sales").sum().cast(pl.Int64).alias("sales_conversations"),
        (pl.col("context") == "collection").sum().cast(pl.Int64)
        .alias("collection_conversations"),
        pl.col("conversation_start").min().alias("first_contact"),
        pl.col("conversation_start").max().alias("last_contact"),
        pl.col("first_response_s").mean().alias("mean_first_response_s"),
        pl.col("rounds").mean().alias("mean_rounds"),
        pl.col("hostility_score").mean().alias("mean_hostility"),
        pl.col("hostility_score").max().alias("max_hostility"),
        pl.col("intent_tag").sort_by("conversation_start").drop_nulls().last()
        .alias("latest_intent_tag"),
        pl.col("demand_keywords").list.explode(keep_nulls=False, empty_as_null=False)
        .unique().sort()
        .alias("demand_keywords"),
    )
    objections = (
        features.select("customer_token", "objections").explode("objections")
        .drop_nulls("objections")
        .group_by("customer_token", "objections").agg(pl.len().cast(pl.Int64).alias("count"))
        .sort("customer_token", "objections")
        .group_by("customer_token", maintain_order=True)
        .agg(pl.struct(pl.col("objections").alias("objection"), "count")
             .alias("objection_counts"), pl.col("count").sum().alias("objections_total"))
    )
    promised = (
        pl.from_arrow(promises.select(["customer_token", "amount_cny"]))
        .group_by("customer_token")
        .agg(pl.len().cast(pl.Int64).alias("promises_made"),
             pl.col("amount_cny").sum().alias("promised_amount_cny"))
    )
    return (by_customer
            .join(objections, on="customer_token", how="left")
            .join(promised, on="customer_token", how="left")
            .with_columns(pl.col("objections_total", "promises_made").fill_null(0),
                          pl.col("promised_amount_cny").fill_null(0.0))
            .sort("customer_token")
            .to_arrow())
