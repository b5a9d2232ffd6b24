"""Browser tests: Debian's Chromium driven by Playwright, against the app served from a thread.

Never downloads a browser: Playwright is pointed at /usr/bin/chromium.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
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


class Sent(NamedTuple):
    link: str
    reference: str


def send_without_drawing(page: Page, base: str, answers: Mapping[str, str | list[str]]) -> Sent:
    """Send a complaint with the requests the browser's forms make (each question's GET, its
    POST with the CSRF token, the redirects), through `page`'s own cookies, but without
    drawing a page. For tests about what comes after sending: drawing and clicking through the
    whole conversation cost each of them seconds of Chromium's CPU. The conversation itself is
    walked in the browser by test_journey_in_chromium.py, test_languages_in_chromium.py and
    test_phone_in_chromium.py.

    `answers` gives each step's answer, by step: a choice by its value or its label's start.
    Returns the private link and the reference. The link is opened as a person opens it (its
    Continue form), so the page's session can go to /progress after."""
    request = page.context.request
    response = request.get(base + "/chat/who")
    for _ in range(40):
        step = urlsplit(response.url).path.rsplit("/", 1)[-1]
        soup = _page_of(response)
        if step == "check":
            break
        assert soup.select_one(".error-summary") is None, f"{step}: the answer was refused"
        form = soup.select_one("form.ask")
        fields = _hidden(form)
        answer = answers[step]
        for given in [answer] if isinstance(answer, str) else answer:
            fields.append(("answer", _choice(form, given) if isinstance(answer, list) else given))
        response = _post(request, response.url, fields)
    else:
        raise AssertionError("the conversation never reached check your answers")
    send = soup.select_one("form.send-form")
    response = _post(request, response.url, _hidden(send), send["action"])
    assert urlsplit(response.url).path == "/chat/done", response.url
    done = _page_of(response)
    link, reference = done.select_one("a#status-link")["href"], done.select_one("#reference")
    opened = request.get(link)
    form = _page_of(opened).select_one("main form")
    response = _post(request, opened.url, _hidden(form), form.get("action"))
    assert urlsplit(response.url).path == "/progress", response.url
    return Sent(link, reference.get_text(strip=True))


def _page_of(response) -> BeautifulSoup:
    assert response.ok, f"{response.url}: {response.status}"
    return BeautifulSoup(response.text(), "html.parser")


def _hidden(form) -> list[tuple[str, str]]:
    return [(i["name"], i.get("value", "")) for i in form.select("input[type=hidden][name]")]


def _choice(form, given: str) -> str:
    """A choice's value, given its value or the start of its label."""
    for choice in form.select("input[name=answer]"):
        label = form.select_one(f"label[for='{choice['id']}'] .choice-text")
        if given in (choice["value"], label.get_text(" ", strip=True)) or (
            label.get_text(" ", strip=True).startswith(given + " ")
        ):
            return choice["value"]
    raise AssertionError(f"no choice {given!r}")


def _post(request, url: str, fields: list[tuple[str, str]], action: str | None = None):
    target = urljoin(url, action) if action else url
    return request.post(
        target,
        data=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": url},
    )
