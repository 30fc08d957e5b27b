"""Fixtures of the end-to-end suite, which runs against the otpcatch wheel installed in a fresh
virtual environment (see ../../test.sh).

- ``site_url``: the example site (examples/site/site.py, path in OTPCATCH_EXAMPLE_SITE), one per
  worker, sending its mail to the run's otpcatch server (``otpcatch_server``, from the plugin).
- ``driver``: Selenium's Chrome on Debian's chromium and chromedriver, one per worker.
- ``page``: a fresh Playwright page in Debian's chromium (never ``playwright install``).
- ``server_records``: where each worker notes the server it was handed, so a test can check
  that all the workers of a pytest-xdist run shared one.

Browser tests are put in one xdist group per browser (run with ``--dist loadgroup``), so an
xdist run starts one Chrome for Selenium and one Chromium for Playwright, not one per worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from otpcatch import Server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_PATH", "/usr/bin/chromedriver")
BROWSER_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "driver" in fixtures:
            item.add_marker(pytest.mark.xdist_group("selenium"))
        elif "page" in fixtures:
            item.add_marker(pytest.mark.xdist_group("playwright"))


def start_site(server: Server) -> tuple[subprocess.Popen[str], str]:
    """Start the example site with its mail going to ``server``'s SMTP; return it and its URL."""
    path = os.environ.get("OTPCATCH_EXAMPLE_SITE")
    if not path or not Path(path).is_file():
        pytest.fail(f"OTPCATCH_EXAMPLE_SITE must name examples/site/site.py (it is {path!r})")
    env = {**os.environ, "OTPCATCH_SMTP_HOST": server.smtp_host, "OTPCATCH_SMTP_PORT": str(server.smtp_port)}
    site = subprocess.Popen([sys.executable, path, "--port", "0"], env=env, stdout=subprocess.PIPE, text=True)
    assert site.stdout is not None
    line = site.stdout.readline().strip()
    if not line.startswith("listening on "):
        site.kill()
        pytest.fail(f"the example site did not start: {line!r}")
    return site, line.removeprefix("listening on ")


@pytest.fixture(scope="session")
def site_url(otpcatch_server: Server) -> Iterator[str]:
    site, url = start_site(otpcatch_server)
    yield url
    site.terminate()
    site.wait(10)
    assert site.stdout is not None
    site.stdout.close()


@pytest.fixture(scope="session")
def driver() -> Iterator[object]:
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not download a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless=new", *BROWSER_FLAGS]:
        options.add_argument(flag)
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    yield chrome
    chrome.quit()


@pytest.fixture(scope="session")
def _playwright_browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_playwright_browser: object) -> Iterator[object]:
    """A page of its own (a new browser context) for each test, as pytest-playwright's ``page``."""
    context = _playwright_browser.new_context()  # type: ignore[attr-defined]
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def server_records(tmp_path_factory: pytest.TempPathFactory, testrun_uid: str) -> Path:
    """A directory shared by every worker of this run, for notes about the server each got."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    records = root / f"otpcatch-servers-{testrun_uid}"
    records.mkdir(exist_ok=True)
    return records


@pytest.fixture(scope="session", autouse=True)
def _record_server(otpcatch_server: Server, server_records: Path) -> None:
    """Note, for this worker, the server the plugin handed it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    note = {"worker": worker, "pid": os.getpid(), "api_url": otpcatch_server.api_url,
            "smtp_port": otpcatch_server.smtp_port, "server_pid": otpcatch_server.pid}
    (server_records / f"{worker}.json").write_text(json.dumps(note))
