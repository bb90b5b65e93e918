"""Contract enforcement as SQL: typed columns and, per record, the reasons it breaks the contract.

The input relation ``parsed`` holds one row per raw record with every contract field as text,
plus ``_source_file``, ``_line``, ``_payload`` (the raw line) and ``_parse_error``. The SQL built
here adds typed ``t_<field>`` columns and ``_reason`` (NULL for a record that keeps its
contract). Reasons name the field and the rule, never a personal value.
"""

from __future__ import annotations

from ingestion.contracts.model import Contract, Field

CAST = {
    "string": "{x}",
    "integer": "try_cast({x} as bigint)",
    "number": "try_cast({x} as double)",
    "boolean": "try_cast({x} as boolean)",
    "date": "try_cast({x} as date)",
    # Device times carry +08:00 (a fast path), exports local "YYYY-MM-DD HH:MM:SS"; any
    # other offset is converted to China time.
    "timestamp": ("case when {x} like '____-__-__T__:__:__+08:00' "
                  "then try_cast(replace(left({x}, 19), 'T', ' ') as timestamp) "
                  "else coalesce(try_cast({x} as timestamp), timezone('Asia/Shanghai', "
                  "try_strptime({x}, '%Y-%m-%dT%H:%M:%S%z'))) end"),
}
TYPE_WORDS = {
    "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "date": "a date YYYY-MM-DD",
    "timestamp": "a time (ISO 8601 with offset, or YYYY-MM-DD HH:MM:SS)",
}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def typed_sql(field: Field) -> str:
    return CAST[field.logical_type].format(x=quote(field.name))


def _shown(field: Field) -> str:
    """The offending value as shown in a reason: never for personal data."""
    if field.pii:
        return "''"
    return f"' (got ''' || left({quote(field.name)}, 40) || ''')'"


def rule_sql(field: Field) -> list[str]:
    """SQL expressions that are a reason text when the field breaks a rule, else NULL."""
    x, t = quote(field.name), f"t_{field.name}"
    name = literal(field.name)
    rules = []
    if field.required:
        rules.append(f"case when {x} is null or trim({x}) = '' then {name} || "
                     f"': required but missing' end")
    if field.logical_type != "string":
        rules.append(f"case when {x} is not null and trim({x}) <> '' and {quote(t)} is null then "
                     f"{name} || ': not {TYPE_WORDS[field.logical_type]}' || {_shown(field)} end")
    if field.pattern:
        rules.append(f"case when {x} is not null and not regexp_full_match({x}, "
                     f"{literal(field.pattern)}) then {name} || ': does not match the pattern "
                     f"{field.pattern.replace(chr(39), chr(39) * 2)}' || {_shown(field)} end")
    if field.allowed:
        values = ", ".join(literal(v) for v in field.allowed)
        rules.append(f"case when {x} is not null and {x} not in ({values}) then {name} || "
                     f"': not one of {', '.join(field.allowed)}' || {_shown(field)} end")
    if field.minimum is not None:
        rules.append(f"case when {quote(t)} < {field.minimum} then {name} || "
                     f"': below the minimum {field.minimum}' end")
    if field.maximum is not None:
        rules.append(f"case when {quote(t)} > {field.maximum} then {name} || "
                     f"': above the maximum {field.maximum}' end")
    return rules


def enforce_sql(contract: Contract, source: str = "parsed") -> str:
    """SELECT over ``source``: the typed columns and the ``_reason`` of each broken record."""
    typed = ",\n    ".join(f"{typed_sql(f)} as {quote('t_' + f.name)}" for f in contract.fields)
    rules = [r for f in contract.fields for r in rule_sql(f)]
    reasons = ",\n        ".join(rules)
    return f"""
with typed as (
    select *,
    {typed}
    from {source}
)
select _source_file, _line, {", ".join(quote("t_" + f.name) for f in contract.fields)},
    coalesce(_parse_error, nullif(concat_ws('; ',
        {reasons}
    ), '')) as _reason
from typed
"""
