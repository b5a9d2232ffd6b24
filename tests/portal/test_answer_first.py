"""After the council replies, the status page gives the answer first, point by point in plain
words (what they agreed with, what they did not, what they will do), and only then "Still not
happy?" (issue 17, part 4)."""

from __future__ import annotations

import pytest

from tests.pages import Page, PageClient
from tests.portal.journey import YOUNG_PERSON, open_link, send_complaint
from tests.staff.conftest import do, load

pytestmark = pytest.mark.pages

WHAT_THEY_WILL_DO = "Your social worker will plan visits a month ahead."


def _complaint(app) -> tuple[PageClient, str]:
    phone = PageClient(app.test_client())
    done = send_complaint(phone, YOUNG_PERSON)
    return phone, done.select_one("#reference").text.strip()


def _reply(app, manager, reference: str, findings: dict[str, str], **more) -> None:
    """Staff record a Stage 1 answer with these findings on the points, by topic."""
    do(manager, reference, "accept_statutory")
    do(manager, reference, "acknowledge")
    fields = {"finding": "Visits were cancelled too often.", "remedy": WHAT_THEY_WILL_DO, **more}
    for point in load(app, reference).points:
        outcome = findings[point.topic]
        fields[f"outcome-{point.id}"] = outcome
        if outcome in ("upheld", "partly_upheld"):
            fields[f"remedy-{point.id}-apology"] = "yes"
            fields[f"remedy-{point.id}-practice"] = "yes"
    do(manager, reference, "record_response", **fields)


def _status(phone: PageClient, language: str | None = None) -> Page:
    if language:
        phone.client.set_cookie("lang", language, domain="speakup.test")
    return phone.get("/progress")


def _points(page: Page) -> list[str]:
    return [li.get_text(" ", strip=True) for li in page.select("#answer .answer-point")]


def test_before_the_answer_there_is_nothing_to_show(app):
    phone, _ = _complaint(app)
    assert _status(phone).select_one("#answer") is None


def test_the_answer_comes_point_by_point_before_still_not_happy(app, manager):
    phone, reference = _complaint(app)
    _reply(app, manager, reference, {"social_worker": "upheld", "family": "not_upheld"})
    page = _status(phone)
    answer = page.select_one("#answer")
    assert answer.select_one("h2").text == "What the council said"
    worker, family = _points(page)
    assert worker.startswith("My social worker")
    assert "They agreed with you." in worker
    assert "They will say sorry." in worker and "They will change how they work." in worker
    assert "They did not agree with you." in family
    assert "They will" not in family, "nothing promised where they did not agree"
    said = [p.text for p in answer.select(".answer-remedy")]
    assert said == [WHAT_THEY_WILL_DO], "what they will do, in their words, once"
    still = page.select_one("#still-not-happy")
    assert still is not None
    order = [tag.get("id") for tag in page.select("#answer, #still-not-happy")]
    assert order == ["answer", "still-not-happy"], "the answer first, then what to do next"
    assert page.select_one("#answer").find_previous("h1"), "inside the main page"


def test_some_of_it_agreed_is_said_plainly(app, manager):
    phone, reference = _complaint(app)
    _reply(app, manager, reference, {"social_worker": "partly_upheld", "family": "upheld"})
    worker, family = _points(_status(phone))
    assert "They agreed with some of it." in worker
    assert "They agreed with you." in family


def test_the_answer_is_in_every_language(app, manager):
    phone, reference = _complaint(app)
    _reply(app, manager, reference, {"social_worker": "upheld", "family": "not_upheld"})
    english = _points(_status(phone))
    for language in ("cy", "pl", "ar"):
        page = _status(phone, language)
        words = " ".join(_points(page))
        assert "They agreed with you." not in words, language
        assert "They did not agree with you." not in words, language
        assert page.select_one("#answer h2").text != "What the council said", language
        assert len(_points(page)) == len(english)


def test_the_answer_opens_the_same_from_the_link_on_another_phone(app, manager):
    phone, reference = _complaint(app)
    link = phone.get("/chat/done").select_one("a#status-link")["href"]
    _reply(app, manager, reference, {"social_worker": "not_upheld", "family": "not_upheld"})
    page = open_link(PageClient(app.test_client()), link)
    assert [p.count("They did not agree with you.") for p in _points(page)] == [1, 1]
