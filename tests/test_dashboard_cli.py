"""``workphone dashboard``: its users command and its refusals."""

from __future__ import annotations

import re

from dashboard_world import dashboard_home  # noqa: F401
from typer.testing import CliRunner

from dashboards.users import authenticate, load_users
from workphone.cli import app


def test_users_init_prints_the_address_and_a_sign_in_per_role(dashboard_home, tmp_path,  # noqa: F811
                                                              monkeypatch):
    users = tmp_path / "users.yaml"
    monkeypatch.setenv("WORKPHONE_HOME", str(dashboard_home))
    monkeypatch.setenv("WORKPHONE_DASHBOARD_USERS", str(users))
    monkeypatch.setenv("WORKPHONE_DASHBOARD_PORT", "8765")
    result = CliRunner().invoke(app, ["dashboard", "users", "--init"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765" in result.output
    printed = dict(re.findall(r"user (\S+)\s+password (\S+)", result.output))
    assert sorted(printed) == ["agency-AG01", "agency-AG02", "analyst", "compliance",
                               "management", "risk"]
    known = load_users(users)
    assert all(authenticate(known, name, secret) for name, secret in printed.items())
    again = CliRunner().invoke(app, ["dashboard", "users", "--init"])
    assert again.exit_code == 2 and "--force" in again.output
    listed = CliRunner().invoke(app, ["dashboard", "users"])
    assert re.search(r"^agency-AG02 +agency AG02$", listed.output, re.MULTILINE)


def test_the_dashboard_needs_a_users_file(dashboard_home, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("WORKPHONE_HOME", str(dashboard_home))
    monkeypatch.setenv("WORKPHONE_DASHBOARD_USERS", str(tmp_path / "none.yaml"))
    result = CliRunner().invoke(app, ["dashboard"])
    assert result.exit_code == 2
    assert "workphone dashboard users --init" in result.output


def test_the_dashboard_needs_a_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKPHONE_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["dashboard"])
    assert result.exit_code == 2 and "workphone run" in result.output
