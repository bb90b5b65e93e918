"""The ``workphone`` command."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from workphone.cli import app

runner = CliRunner()


def test_simulate_prints_a_summary(tmp_path):
    result = runner.invoke(app, ["simulate", "--scale", "tiny", "--out", str(tmp_path),
                                 "--seed", "5", "--recordings", "0"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "raw" / "devices" / "recordings").exists()
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["records"]["leads"] > 100
    assert summary["records"]["recordings"] == 0
    assert summary["communication_records"] == sum(
        summary["records"][f] for f in ("calls", "messages", "sms"))


def test_malformed_world_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("period: {start: 2025-01-01}\n", encoding="utf-8")
    result = runner.invoke(app, ["simulate", "--world", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "period.end: this key is required" in result.output
    assert "business_lines: this key is required" in result.output


def test_unknown_scale(tmp_path):
    result = runner.invoke(app, ["simulate", "--scale", "huge", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "tiny, small, medium, large" in result.output


def test_worlds_lists_the_default():
    result = runner.invoke(app, ["worlds"])
    assert "report-2025" in result.stdout
