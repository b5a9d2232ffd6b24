"""Browser tests: Debian's Chromium driven by Playwright, against the app served from a thread.

Never downloads a browser: Playwright is pointed at /usr/bin/chromium.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from werkzeug.serving import make_server

from portal import create_app
from portal.migrate import upgrade
from portal.safety import matcher, model

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chromium (156) opens two omnibox pop-ups (chrome://omnibox-popup.top-chrome/), WebUI pages in
# a renderer of their own, in every window, headless too: with them the browser tests used a
# third more CPU (595 s against 451 s), and an open page kept a fifth of a core busy doing
# nothing. Playwright disables features of its own with --disable-features, and Chromium reads
# only the last such switch, so theirs and these are given as one (`launch_chromium`).
DISABLED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> Iterator[tuple[str, object]]:
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder}/browser.db"
    upgrade(url)
    app = create_app(
        {"INSTANCE_PATH": str(folder), "DATABASE_URL": url, "SECRET_KEY": "browser-tests-only"}
    )
    # As gunicorn's master does before its workers start (gunicorn.conf.py): the safety lists
    # compiled and the model loaded, so the first answer typed in a browser test does not wait
    # for them (seconds of CPU; 22 s on a busy machine, over the browser's 10 s timeout).
    matcher.compiled()
    model.load()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Tests cannot reach the internet, so "Exit this page" goes to a local stand-in.
    app.config["EXIT_URL"] = f"http://127.0.0.1:{server.server_port}/static/favicon.svg"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    app.extensions["database"][0].dispose()


@pytest.fixture(scope="session")
def live_server(live) -> str:
    return live[0]


@pytest.fixture(scope="session")
def live_app(live):
    return live[1]


@pytest.fixture(scope="session")
def browser(tmp_path_factory, pytestconfig) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make test`, which installs it")
    _only_this_runs_screenshots(tmp_path_factory, pytestconfig)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def _only_this_runs_screenshots(tmp_path_factory, pytestconfig) -> None:
    """Remove the last run's pictures, once: the first test worker to start a browser does,
    not each one (work stealing can start one late, after others have taken pictures)."""
    run = tmp_path_factory.getbasetemp()
    shared = run.parent if hasattr(pytestconfig, "workerinput") else run
    with (shared / "screenshots.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "screenshots-cleared").exists():
            shutil.rmtree(SCREENSHOTS, ignore_errors=True)
            (shared / "screenshots-cleared").touch()


def launch_chromium(playwright: Playwright) -> Browser:
    """Chromium with CHROMIUM_ARGS, and DISABLED_FEATURES added to the features its command
    line already disables (Playwright's: read from a first launch's command line)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    (first,) = chromium_command_lines()
    browser.close()
    given = [a for a in first if a.startswith("--disable-features=")]
    features = [f for a in given for f in a.split("=", 1)[1].split(",") if f]
    features += [f for f in DISABLED_FEATURES if f not in features]
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--disable-features=" + ",".join(features)],
        ignore_default_args=given,  # Playwright's own is in the one above
    )


def chromium_command_lines() -> list[list[str]]:
    """The arguments of each Chromium browser process this test process has running (the
    ones Playwright talks to over a pipe)."""
    parents, found = {}, []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            args = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if b"--remote-debugging-pipe" in args:
            found.append((int(stat.parent.name), [a.decode() for a in args if a]))

    def mine(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    return [args for pid, args in found if mine(pid)]


def _page(browser: Browser, javascript: bool, viewport: dict) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser) -> Iterator[Page]:
    yield from _page(browser, javascript=True, viewport=PHONE)


@pytest.fixture
def desktop(browser) -> Iterator[Page]:
    yield from _page(browser, javascript=True, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_without_js(browser) -> Iterator[Page]:
    yield from _page(browser, javascript=False, viewport=PHONE)


@pytest.fixture
def narrow(browser) -> Iterator[Page]:
    yield from _page(browser, javascript=True, viewport={"width": 320, "height": 640})


def screenshot(page: Page, name: str) -> None:
    """Keep a phone-sized picture of the page as a test artefact (build/ is not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
