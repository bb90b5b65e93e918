"""The tokens the index stores and a query is matched on, as one SQL expression.

``喂，您好，这里是华信 APR 36%`` → ``喂 您好 这里 里是 是华 华信 apr 36``: bigrams inside
each run of Chinese characters (never across punctuation), a one-character run kept whole,
Latin letters and digits as lower-cased words. Redaction placeholders (``[手机号]``) become
``手机 机号``, so redacted numbers can be searched for too.
"""

from __future__ import annotations

_RUNS = r"regexp_extract_all(lower({text}), '\p{{Han}}+|[a-z0-9]+')"
_TOKENS = (
    "array_to_string(flatten(list_transform(" + _RUNS + ", run -> "
    r"case when length(run) > 1 and regexp_full_match(run, '\p{{Han}}+') "
    "then list_transform(range(1, length(run)), i -> substr(run, i, 2)) "
    "else [run] end)), ' ')"
)


def tokens_sql(text: str) -> str:
    """SQL turning the VARCHAR expression ``text`` into its space-separated tokens."""
    return _TOKENS.format(text=text)
