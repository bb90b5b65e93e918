"""`workphone kpi`: the management table from the KPI marts of a small fixture warehouse."""

from __future__ import annotations

import duckdb
import pytest
from typer.testing import CliRunner

from workphone.cli import app
from workphone.kpi import KpiError, kpi_table


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("""create table marts.kpi_definitions as select * from (values
            ('cac_cny', 'Customer acquisition cost', '获客成本', 'CNY', 'lower', 1),
            ('m2_recovery_rate', 'M2 recovery rate', 'M2回收率', 'rate', 'higher', 9))
            t(kpi, label_en, label_zh, unit, better, sort_order)""")
        con.execute("""create table marts.rpt_kpi_by_quarter as
            select kpi, business_line, quarter, value::double as value from (values
            ('cac_cny', 'auto', '2025Q1', 1800.0), ('cac_cny', 'auto', '2025Q2', 1650.0),
            ('cac_cny', 'auto', '2025Q3', 1480.0), ('m2_recovery_rate', 'all', '2025Q1', 0.30),
            ('m2_recovery_rate', 'all', '2025Q3', 0.43))
            t(kpi, business_line, quarter, value)""")
    return path


def test_the_latest_quarter_is_put_against_q1(warehouse):
    table = kpi_table(warehouse).to_dicts()
    cac, m2 = table
    assert (cac["kpi"], cac["q1_value"], cac["q3_value"]) == ("cac_cny", 1800.0, 1480.0)
    assert cac["change"] == pytest.approx(-320.0)
    assert m2["change"] == pytest.approx(0.13)
    assert {row["report_quarter"] for row in table} == {"2025Q3"}


def test_the_command_prints_labels_units_and_changes(warehouse, monkeypatch):
    monkeypatch.setenv("WORKPHONE_HOME", str(warehouse.parent))
    result = CliRunner().invoke(app, ["kpi", "--quarter", "2025Q2"])
    assert result.exit_code == 0, result.output
    assert "2025Q1 → 2025Q2" in result.output
    assert "获客成本 Customer acquisition cost" in result.output
    assert "¥1,800" in result.output and "¥1,650" in result.output
    assert "-¥150 (-8.3%)" in result.output
    assert "M2回收率" in result.output and "30.0%" in result.output


def test_a_quarter_without_values_is_refused_with_those_known(warehouse):
    with pytest.raises(KpiError, match="2025Q1, 2025Q2, 2025Q3"):
        kpi_table(warehouse, "2024Q4")
    with pytest.raises(KpiError, match="YYYYQn"):
        kpi_table(warehouse, "Q3-2025")
