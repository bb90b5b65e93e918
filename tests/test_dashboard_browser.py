"""The running dashboard in a real browser: ``workphone dashboard`` started on a free loopback
port over the hand-written home, Debian's headless Chromium driven by Playwright through the
sign-in and every page, a screenshot of each under the test's output folder."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from dashboard_world import USERS, dashboard_home, password  # noqa: F401

from dashboards.access import PAGES

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dashboard_url(dashboard_home, tmp_path):  # noqa: F811
    port = free_port()
    env = {**os.environ, "WORKPHONE_HOME": str(dashboard_home)}
    log = (tmp_path / "dashboard.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "workphone.cli", "dashboard", "--port", str(port),
         "--address", "127.0.0.1"], env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the dashboard did not start: "
                                     + (tmp_path / "dashboard.log").read_text())
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)     # the command and the Streamlit server
        server.wait(timeout=20)
        log.close()


@pytest.fixture
def browser_page(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium package is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True,
            args=FLAGS, viewport={"width": 1400, "height": 1000})
        try:
            yield context.new_page()
        finally:
            context.close()


def sign_in(page, url: str, user: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(password(user))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {user}").wait_for(timeout=30_000)


def settle(page) -> None:
    """Wait until the script run of the page has finished."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=30_000)


def test_sign_in_and_every_page_in_chromium(dashboard_url, browser_page, tmp_path):
    page = browser_page
    shots = tmp_path / "screenshots"
    shots.mkdir()
    sign_in(page, dashboard_url, "analyst")
    page.screenshot(path=str(shots / "00_signed_in.png"), full_page=True)
    for number, (key, (title, _)) in enumerate(PAGES.items(), start=1):
        page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        page.get_by_role("heading", name=title).wait_for(timeout=30_000)
        settle(page)
        assert page.url.endswith(f"/{key}") or number == 1    # the first page is also "/"
        errors = page.locator('[data-testid="stException"]').all_inner_texts()
        assert not errors, f"{key}: {errors}"
        page.screenshot(path=str(shots / f"{number:02d}_{key}.png"), full_page=True)
    assert len(list(shots.glob("*.png"))) == len(PAGES) + 1
    print(f"screenshots: {shots}")


def test_an_agency_is_offered_only_its_pages(dashboard_url, browser_page):
    page = browser_page
    sign_in(page, dashboard_url, "agency-AG01")
    settle(page)
    links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert [link.strip() for link in links] == [
        title for key, (title, _) in PAGES.items() if USERS["agency-AG01"].may_open(key)]
