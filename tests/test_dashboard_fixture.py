"""The dashboard tests' hand-written home cannot drift from the warehouse: every column of its
mart tables is a documented column of the dbt model (with the documented type), its model
tables have the columns the model code publishes, and the redaction placeholders the evidence
view looks for are ingestion's. The dbt exposures name every page and the marts it reads."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import yaml
from dashboard_world import dashboard_home  # noqa: F401

from dashboards.access import PAGES
from dashboards.queries.originals import PLACEHOLDERS
from workphone.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
MARTS = ROOT / "dbt" / "models" / "marts"
TYPES = {"VARCHAR": "string", "BIGINT": "bigint", "INTEGER": "integer", "DOUBLE": "double",
         "DATE": "date", "TIMESTAMP": "timestamp", "BOOLEAN": "boolean"}
# The query modules behind each page (dashboards/queries/<module>.py).
PAGE_QUERIES = {"overview": ["overview"], "channels": ["channels"],
                "sales_compliance": ["compliance", "evidence"], "collections": ["collections"],
                "best_time_to_call": ["call_time"], "credit": ["credit"],
                "search": ["search", "evidence"], "data_health": ["health"]}


def documented_models() -> dict[str, dict[str, str | None]]:
    """Model → column → documented data type (None where the model documents none)."""
    models = {}
    for path in MARTS.glob("**/_*__models.yml"):
        for model in yaml.safe_load(path.read_text("utf-8")).get("models", []):
            models[model["name"]] = {c["name"]: c.get("data_type")
                                     for c in model.get("columns", [])}
    return models


def fixture_columns(home: Path, schema: str) -> dict[str, dict[str, str]]:
    with duckdb.connect(str(Settings(home=home).warehouse_path), read_only=True) as con:
        rows = con.execute("""select table_name, column_name, data_type
            from information_schema.columns where table_schema = ?""", [schema]).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        tables.setdefault(table, {})[column] = kind
    return tables


def test_every_mart_column_of_the_fixture_is_documented_with_its_type(dashboard_home):  # noqa: F811
    documented = documented_models()
    seeds = {"kpi_definitions"}
    for table, columns in fixture_columns(dashboard_home, "marts").items():
        assert table in documented or table in seeds, f"marts.{table} is not a dbt model"
        for column, kind in columns.items():
            assert column in documented[table], f"marts.{table}.{column} is not documented"
            expected = documented[table][column]
            if expected is not None:
                assert TYPES[kind] == expected, f"marts.{table}.{column}: {kind} vs {expected}"


def test_the_model_tables_of_the_fixture_have_published_columns(dashboard_home):  # noqa: F811
    from models_ml.call_time.pipeline import OUTPUT_COLUMNS

    ml = fixture_columns(dashboard_home, "ml")
    assert set(ml["call_time_recommendations"]) <= set(OUTPUT_COLUMNS)
    reason = re.compile(r"^reason_[123]_(feature|points|zh|en)$")
    scored = {"loan_id", "customer_id", "application_date", "disbursed_at", "bureau_score",
              "p_bad", "score", "model_version", "scored_as_of"}
    assert all(c in scored or reason.match(c) for c in ml["credit_scores"])


def test_the_placeholders_are_ingestions():
    from ingestion.pii import TEXT_PATTERNS

    assert set(PLACEHOLDERS) == {placeholder for _, placeholder in TEXT_PATTERNS}


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_has_an_exposure_naming_the_marts_it_reads(page):
    exposures = {e["name"]: e for e in yaml.safe_load(
        (MARTS / "_marts__exposures.yml").read_text("utf-8"))["exposures"]}
    exposure = exposures[f"dashboard_{page}"]
    assert exposure["label"] == f"Dashboard · {PAGES[page][0]}"
    assert exposure["url"].endswith(f"/{page}")
    declared = set(re.findall(r"ref\('(\w+)'\)", " ".join(exposure["depends_on"])))
    read = set()
    for module in PAGE_QUERIES[page]:
        source = (ROOT / "dashboards" / "queries" / f"{module}.py").read_text("utf-8")
        read |= set(re.findall(r"marts\.(\w+)", source))
    assert read <= declared, f"{page} reads {sorted(read - declared)} undeclared"
