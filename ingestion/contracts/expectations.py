"""Great Expectations suites built from the contracts, checked against what landed in the lake.

Record-level rules are enforced at ingestion (a breaking record never lands); the suite checks
the landed data as a whole: columns present, required values there, allowed values and ranges
kept, keys unique, personal data only as tokens and masks, and no personal number left in free
text. It runs as a Dagster asset check after each ingestion.
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations as gx
import polars as pl
from great_expectations import expectations as gxe
from great_expectations.data_context.types.base import ProgressBarsConfig

from ingestion.contracts.model import Contract, Field
from ingestion.pii import TEXT_PATTERNS

TOKEN_REGEX = r"^[0-9a-f]{64}$"
PERSON_PII = {"phone", "name", "id_number", "bank_card", "chat_id"}
LINEAGE = ("_source_file", "_source_line", "_ingested_at", "_contract_version", "_batch_id")


def expectation_suite(contract: Contract) -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=f"{contract.feed}__contract_{contract.version}")
    add = suite.add_expectation
    for field in contract.fields:
        if field.pii in PERSON_PII:
            token, masked = f"{field.name}_token", f"{field.name}_masked"
            add(gxe.ExpectColumnToExist(column=token))
            add(gxe.ExpectColumnToExist(column=masked))
            add(gxe.ExpectColumnValuesToMatchRegex(column=token, regex=TOKEN_REGEX))
            if field.required:
                add(gxe.ExpectColumnValuesToNotBeNull(column=token))
            continue
        add(gxe.ExpectColumnToExist(column=field.name))
        if field.required:
            add(gxe.ExpectColumnValuesToNotBeNull(column=field.name))
        if field.allowed:
            add(gxe.ExpectColumnValuesToBeInSet(column=field.name, value_set=_typed(field)))
        if field.minimum is not None or field.maximum is not None:
            add(gxe.ExpectColumnValuesToBeBetween(column=field.name, min_value=field.minimum,
                                                  max_value=field.maximum))
        if field.pattern:
            add(gxe.ExpectColumnValuesToMatchRegex(column=field.name, regex=field.pattern))
        if field.pii == "free_text":
            add(gxe.ExpectColumnValuesToNotMatchRegexList(
                column=field.name, regex_list=[p for p, _ in TEXT_PATTERNS]))
    if len(contract.primary_key) == 1:
        add(gxe.ExpectColumnValuesToBeUnique(column=contract.primary_key[0]))
    else:
        add(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(contract.primary_key)))
    for column in LINEAGE:
        add(gxe.ExpectColumnValuesToNotBeNull(column=column))
    return suite


def _typed(field: Field) -> list:
    """The field's allowed values as the lake holds them (contracts list them as text)."""
    convert = {"integer": int, "number": float}.get(field.logical_type, str)
    return [convert(value) for value in field.allowed]


@dataclass(frozen=True)
class SuiteResult:
    success: bool
    evaluated: int
    failed: list[str]
    rows: int


def validate(contract: Contract, frame: pl.DataFrame) -> SuiteResult:
    """Run the contract's suite on landed rows (a pandas frame, which GE's pandas source needs)."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(name="lake")
    asset = source.add_dataframe_asset(name=contract.feed)
    batch = asset.add_batch_definition_whole_dataframe("landed").get_batch(
        batch_parameters={"dataframe": frame.to_pandas()})
    suite = context.suites.add(expectation_suite(contract))
    result = batch.validate(suite)
    failed = []
    for outcome in result.results:
        if not outcome.success:
            config = outcome.expectation_config
            target = config.kwargs.get("column") or config.kwargs.get("column_list")
            failed.append(f"{config.type}({target})")
    return SuiteResult(result.success, len(result.results), failed, frame.height)
