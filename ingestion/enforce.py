"""Contract enforcement as SQL: typed columns and, per record, the reasons it breaks the contract.

The input relation (``parsed``, see ``raw_files``) holds one row per raw record with every
contract field as text, plus ``_file``, ``_line``, ``_payload`` (the raw line) and
``_parse_error``. The SQL built here adds typed ``t_<field>`` columns and ``_reason`` (NULL for a
record that keeps its contract), and keeps ``_payload`` only for broken records (quarantine
encrypts it; nothing else needs it). Reasons name the field and the rule, never a personal
value.

Every rule is a condition (``breaks``) and a reason text. The conditions run on every record,
so each is written to decide a usual value with a cheap comparison; the reason texts are only
built for the few records that break a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.contracts.model import Contract, Field

CAST = {
    "string": "{x}",
    "integer": "try_cast({x} as bigint)",
    "number": "try_cast({x} as double)",
    "boolean": "try_cast({x} as boolean)",
    "date": "try_cast({x} as date)",
    # Device times carry +08:00 (the fast path: a cast to TIMESTAMP keeps the written clock
    # time, which is China time, and drops the offset), exports local "YYYY-MM-DD HH:MM:SS";
    # any other offset is converted to China time.
    "timestamp": ("case when suffix({x}, '+08:00') then try_cast({x} as timestamp) "
                  "else coalesce(timezone('Asia/Shanghai', "
                  "try_strptime({x}, '%Y-%m-%dT%H:%M:%S%z')), try_cast({x} as timestamp)) end"),
}
TYPE_WORDS = {
    "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "date": "a date YYYY-MM-DD",
    "timestamp": "a time (ISO 8601 with offset, or YYYY-MM-DD HH:MM:SS)",
}


@dataclass(frozen=True)
class Rule:
    breaks: str   # SQL condition, true for a record that breaks the rule
    reason: str   # SQL text of the reason


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def typed_sql(field: Field) -> str:
    return CAST[field.logical_type].format(x=quote(field.name))


def blank_sql(x: str) -> str:
    """SQL: the value is missing or only whitespace. A value starting with a printable ASCII
    character cannot be blank, so only the others are trimmed (trim copies every string)."""
    return (f"case when {x} >= '!' and {x} < chr(127) then false "
            f"else {x} is null or trim({x}) = '' end")


def _shown(field: Field) -> str:
    """The offending value as shown in a reason: never for personal data."""
    if field.pii:
        return ""
    return f" || ' (got ''' || left({quote(field.name)}, 40) || ''')'"


def rules(field: Field) -> list[Rule]:
    """The rules a field's contract sets, in the order their reasons are listed."""
    x, t = quote(field.name), quote(f"t_{field.name}")
    name = field.name
    found = []
    if field.required:
        found.append(Rule(blank_sql(x), literal(f"{name}: required but missing")))
    if field.logical_type != "string":
        found.append(Rule(f"{t} is null and not ({blank_sql(x)})",
                          literal(f"{name}: not {TYPE_WORDS[field.logical_type]}")
                          + _shown(field)))
    if field.pattern:
        found.append(Rule(f"not regexp_full_match({x}, {literal(field.pattern)})",
                          literal(f"{name}: does not match the pattern {field.pattern}")
                          + _shown(field)))
    if field.allowed:
        values = ", ".join(literal(v) for v in field.allowed)
        found.append(Rule(f"{x} not in ({values})",
                          literal(f"{name}: not one of {', '.join(field.allowed)}")
                          + _shown(field)))
    if field.minimum is not None:
        found.append(Rule(f"{t} < {field.minimum}",
                          literal(f"{name}: below the minimum {field.minimum}")))
    if field.maximum is not None:
        found.append(Rule(f"{t} > {field.maximum}",
                          literal(f"{name}: above the maximum {field.maximum}")))
    return found


def enforce_sql(contract: Contract, source: str = "parsed") -> str:
    """SELECT over ``source``: lineage, the typed columns, ``_reason`` of each broken record
    and, for broken records only, ``_payload``. Each rule's condition is a column (``_b<n>``)
    evaluated once; reasons are only assembled where one holds."""
    typed = ",\n    ".join(f"{typed_sql(f)} as {quote('t_' + f.name)}" for f in contract.fields)
    checks = [r for f in contract.fields for r in rules(f)]
    breaks = ",\n    ".join(f"{r.breaks} as _b{n}" for n, r in enumerate(checks))
    broken = " or ".join(f"_b{n}" for n in range(len(checks)))
    reasons = ",\n            ".join(f"case when _b{n} then {r.reason} end"
                                    for n, r in enumerate(checks))
    return f"""
with typed as (
    select *,
    {typed}
    from {source}
),
tested as (
    select *,
    {breaks}
    from typed
),
reasoned as (
    select *, coalesce(_parse_error, case when {broken}
        then concat_ws('; ',
            {reasons}) end) as _reason
    from tested
)
select _file, _line, {", ".join(quote("t_" + f.name) for f in contract.fields)},
    _reason, case when _reason is not null then _payload end as _payload
from reasoned
"""
