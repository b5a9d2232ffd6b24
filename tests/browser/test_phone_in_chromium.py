"""A 13-year-old on a phone (issue 17): the question on the first screen, and numbers to dial.

One browser walks the whole conversation at 360 x 640 and 390 x 844 in English, Welsh, Polish
and Arabic, and measures on every step where the question and its first answer are.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_journey_in_chromium import _check_accessibility, _no_sideways_scroll

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "cy", "pl", "ar"]
SCREENS = [{"width": 360, "height": 640}, {"width": 390, "height": 844}]

# A young person's answers by form value (labels differ in every language): every kind of
# question, "Tell me more", and a mobile number.
ANSWERS = {
    "who": ["self"],
    "self_status": ["looked_after"],
    "age": ["12_15"],
    "topics": ["social_worker", "family"],
    "what_happened": "My social worker keeps cancelling my visits.",
    "when": ["this_month"],
    "court_police": ["no"],
    "outcome": ["change"],
    "outcome_words": "",
    "advocate": ["more"],
    "advocate_more": ["yes"],
    "contact": ["text"],
    "phone": "07700 900123",
    "contact_safe": ["yes"],
    "name": "Jess",
    "records": "",
}

# Where the question and its first answer end, from the top of the page (not the screen), so
# a page the script scrolled still counts as it was before any scrolling.
WHERE = """() => {
  const question = document.querySelector('h1.question-text');
  const first = document.querySelector('form.ask .choice label, form.ask #answer');
  const bottom = e => Math.round(e.getBoundingClientRect().bottom + window.scrollY);
  return {question: bottom(question), answer: bottom(first), screen: window.innerHeight,
          focused: document.activeElement && document.activeElement.id,
          progress: document.querySelector('.progress').innerText};
}"""

# Each phone link's digits in the order they are drawn, left to right, and as written.
DIGITS_AS_DRAWN = """() => [...document.querySelectorAll('a[href^="tel:"]')]
  .filter(link => link.offsetParent !== null)
  .map(link => {
    const node = document.createTreeWalker(link, NodeFilter.SHOW_TEXT).nextNode();
    const drawn = [];
    for (let i = 0; i < node.length; i++) {
      if (!/[0-9]/.test(node.data[i])) continue;
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      drawn.push([Math.round(box.top), box.left, node.data[i]]);
    }
    drawn.sort((a, b) => a[0] - b[0] || a[1] - b[1]);  // line by line, then left to right
    return [link.getAttribute('href'), node.data.replace(/[^0-9]/g, ''),
            drawn.map(d => d[2]).join(''), new Set(drawn.map(d => d[0])).size];
  })"""

# Text that looks like a phone number but is not inside a link that dials it.
NUMBERS_NOT_LINKED = r"""() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const number = /(^|[^0-9])(999|0[0-9]{3} ?[0-9]{3} ?[0-9]{0,4})(?![0-9])/;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('a[href^="tel:"], script, style, input, textarea')) continue;
    if (number.test(node.data)) found.push(node.data.trim().slice(0, 60));
  }
  return found;
}"""


def _context(browser: Browser, base: str, language: str, screen: dict) -> Page:
    context = browser.new_context(viewport=screen, locale=language, has_touch=True)
    context.add_cookies([{"name": "lang", "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _answer(page: Page, step: str) -> None:
    answer = ANSWERS[step]
    if isinstance(answer, list):
        for value in answer:
            page.locator(f"input[name=answer][value='{value}']").check()
    else:
        page.locator("#answer").fill(answer)


def _next(page: Page, step: str) -> None:
    _answer(page, step)
    # The first words screened in a fresh process load the safety lists: allow for it.
    with page.expect_navigation(timeout=30_000):
        page.locator("form.ask button[type=submit]").click(timeout=30_000)


def _late(page: Page, name: str) -> list[str]:
    """Measure this page on each phone screen (resized in place, which is quicker than
    walking twice); return where the question or its first answer is below the first screen."""
    problems = []
    for screen in SCREENS:
        page.set_viewport_size(screen)
        where = page.evaluate(WHERE)
        late = {k: where[k] for k in ("question", "answer") if where[k] > screen["height"]}
        if late:
            problems.append(f"{name} at {screen['width']}x{screen['height']}: {late}")
    return problems


def _walk_and_measure(page: Page, base: str, language: str, counts: list) -> list[str]:
    """Walk from Start to the check page; return every step where the question was not on
    the first screen, or did not have the focus after the step before it."""
    problems = []
    page.goto(base + "/")
    for screen in SCREENS:
        page.set_viewport_size(screen)
        start = page.locator("#start").bounding_box()
        if start["y"] + start["height"] > screen["height"]:
            problems.append(f"{language} home at {screen['width']}px: Start is below the screen")
    with page.expect_navigation():
        page.locator("#start").click()
    for number in range(1, 25):
        step = urlsplit(page.url).path.rsplit("/", 1)[-1]  # #next, until the script runs
        if step == "check":
            break
        focused = page.evaluate("document.activeElement && document.activeElement.id")
        if number > 1 and focused != "question":
            problems.append(f"{language} {step}: focus on {focused!r}, not the question")
        problems += _late(page, f"{language} {step}")
        counts.append(page.locator(".progress").inner_text())
        if number in (1, 5):
            screenshot(page, f"phone-{language}-{step}")
        _next(page, step)
    expect(page).to_have_url(re.compile("/chat/check$"))
    return problems


def test_the_question_and_its_first_answer_are_on_the_first_screen(browser, live_server):
    problems = []
    for language in LANGUAGES:
        page = _context(browser, live_server, language, SCREENS[0])
        counts: list[str] = []
        problems += _walk_and_measure(page, live_server, language, counts)
        page.context.close()
        if language == "en":
            # "Question N of M": N counts up, and at the last question M is how many were asked.
            found = [re.match(r"Question (\d+) of (\d+)\.", text) for text in counts]
            assert [int(f[1]) for f in found] == list(range(1, len(counts) + 1))
            assert int(found[-1][2]) == len(counts)
    assert not problems, "\n".join(problems)


def test_earlier_answers_fold_away_and_open_with_one_tap(browser, live_server):
    page = _context(browser, live_server, "en", SCREENS[0])
    page.goto(live_server + "/chat/who")
    for step in ("who", "self_status", "age"):
        _next(page, step)
    expect(page.get_by_text("12 to 15", exact=True)).to_be_hidden()
    page.locator(".so-far summary").tap()
    expect(page.get_by_text("12 to 15", exact=True)).to_be_visible()
    _check_accessibility(page, "answers-open")
    page.context.close()


def test_only_an_answer_moves_the_focus_to_the_next_question(browser, live_server):
    """The answer's redirect marks the address (#next); the script moves the focus and takes
    the mark off, so a reload or coming Back leaves the focus where the browser puts it."""
    page = _context(browser, live_server, "en", SCREENS[0])
    page.goto(live_server + "/chat/who")
    focused = "document.activeElement && document.activeElement.id"
    assert page.evaluate(focused) != "question", "the first question is not an arrival"
    for step, following in (("who", "self_status"), ("self_status", "age")):
        _next(page, step)
        expect(page).to_have_url(re.compile(f"/chat/{following}$"))  # the mark is off
        assert page.evaluate(focused) == "question", f"after {step}"
    page.reload()
    assert page.evaluate(focused) != "question", "a reload is not an arrival"
    page.go_back()
    expect(page).to_have_url(re.compile("/chat/self_status$"))
    assert page.evaluate(focused) != "question", "coming Back is not an arrival"
    page.context.close()


def test_every_phone_number_dials_and_reads_the_same_in_arabic(browser, live_server):
    read = {}
    for language in ("en", "ar"):
        page = _context(browser, live_server, language, SCREENS[0])
        for path in ["/", "/help", "/privacy", "/chat/who"]:
            page.goto(live_server + path)
            if path == "/":
                page.locator(".help-more summary").tap()  # the rest of the help, one tap away
            assert not page.evaluate(NUMBERS_NOT_LINKED), f"{language} {path}: not a tel: link"
            for href, written, drawn, lines in page.evaluate(DIGITS_AS_DRAWN):
                assert href == "tel:" + written, f"{language} {path}: {href} dials another number"
                assert lines == 1, f"{language} {path}: {written} is split over {lines} lines"
                assert drawn == written, f"{language} {path}: {written} is drawn as {drawn}"
                read.setdefault(language, set()).add(drawn)
        page.context.close()
    assert read["ar"] == read["en"] and {"999", "08001111"} <= read["ar"]


def test_the_help_banner_is_one_line_and_more_help_is_one_tap_away(browser, live_server):
    for language in LANGUAGES:
        page = _context(browser, live_server, language, SCREENS[0])
        page.goto(live_server + "/")
        line = page.locator(".help-line")
        tops = page.evaluate(
            "() => [...document.querySelectorAll('.help-item, .help-more > summary')]"
            ".map(e => Math.round(e.getBoundingClientRect().top + e.offsetHeight / 2))"
        )
        assert len(tops) == 3 and max(tops) - min(tops) < 10, f"{language}: not one line {tops}"
        expect(line.locator("a[href='tel:999']")).to_be_visible()
        expect(page.locator(".help-more-body")).to_be_hidden()
        page.locator(".help-more summary").tap()
        expect(page.locator(".help-more-body a[href^='/help']")).to_be_visible()
        expect(page.locator("#quick-exit")).to_be_in_viewport()
        languages = page.locator(".languages-row a, .languages-row .language-current")
        tops = {round(box["y"]) for box in (languages.nth(i).bounding_box() for i in range(4))}
        tops.add(round(page.locator("button.read-aloud").bounding_box()["y"]))
        assert len(tops) == 1, f"{language}: the languages and Read this to me are not one row"
        page.context.close()


def test_shift_three_times_is_only_offered_with_a_keyboard(browser, live_server):
    touch = _context(browser, live_server, "en", SCREENS[0])
    touch.goto(live_server + "/")
    footer = touch.locator(".exit-hint")
    expect(footer).to_have_text("Press the Exit button to leave this page fast.")
    touch.context.close()
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.goto(live_server + "/")
    expect(page.locator(".exit-hint")).to_contain_text("Press Shift 3 times")
    desk.close()


def test_the_help_page_hides_the_contact_boxes_when_they_say_no(browser, live_server):
    for javascript in (True, False):
        context = browser.new_context(viewport=SCREENS[0], java_script_enabled=javascript)
        page = context.new_page()
        page.goto(live_server + "/help")
        expect(page.locator("#phone")).to_be_visible()
        page.locator("input[name=how][value=none]").check()
        expect(page.locator("#phone")).to_be_hidden()
        expect(page.locator("#safe_times")).to_be_hidden()
        page.locator("input[name=how][value=phone]").check()
        expect(page.locator("#safe_times")).to_be_visible()
        if javascript:
            _check_accessibility(page, "help-phone")
        context.close()


def test_nothing_scrolls_sideways_at_320px_and_axe_passes(browser, live_server):
    for language in LANGUAGES:
        page = _context(browser, live_server, language, {"width": 320, "height": 640})
        for path in ["/", "/chat/who", "/help"]:
            page.goto(live_server + path)
            _no_sideways_scroll(page)
            if language in ("en", "ar") and path != "/help":
                _check_accessibility(page, f"{language}-320{path}")
        page.context.close()
