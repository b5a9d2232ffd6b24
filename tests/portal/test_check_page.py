"""Check your answers: one short line per answer with "Change", Send at the top and the bottom,
help one tap away, and what the rules decided for staff left to the staff pages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Complaint
from tests.flows.test_rules import PERSONAS
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, answer_all, step_id
from tests.portal.test_personas import COMMON
from tests.staff.conftest import sign_in

LONG_STORY = (
    "My social worker keeps cancelling our visits. It happened in March, then in April, and "
    "again last week. Nobody told me why, and I waited at the door every time for an hour."
)

pytestmark = pytest.mark.pages


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Complaint))


def test_send_is_at_the_top_and_the_bottom_and_help_is_there(pages):
    check = answer_all(pages, YOUNG_PERSON)
    forms = check.select("form.send-form")
    assert [f["id"] for f in forms] == ["send-top", "send-bottom"]
    for form in forms:
        assert form["method"] == "post" and form["action"] == "/chat/send"
        assert form.select_one("input[name=csrf_token]")["value"]
        assert form.select_one("button[type=submit]").get_text(strip=True) == "Send"
    rows = check.select(".summary-row")
    # Send at the top comes before the first answer, so nobody scrolls past every answer to it.
    assert str(check.soup).index('id="send-top"') < str(check.soup).index('class="summary-row"')
    unsafe = check.select_one(".unsafe a")
    assert unsafe.get_text(strip=True) == "I don't feel safe"
    assert unsafe["href"] == "/help?from=/chat/check"
    assert pages.get(unsafe["href"]).select_one(".back a")["href"] == "/chat/check"
    assert rows, "the answers are there"


def test_one_short_line_per_answer_each_with_change(pages):
    check = answer_all(pages, {**YOUNG_PERSON, "what_happened": LONG_STORY})
    rows = check.select(".summary-row")
    labels = [r.select_one("dt").get_text(strip=True) for r in rows]
    assert len(labels) == len(set(labels)), "each answer once"
    for row in rows:
        assert len(row.select("dd.summary-answer")) == 1
        change = row.select_one(".summary-change a")
        assert change["href"].endswith("?change=1")
    by_label = {
        r.select_one("dt").get_text(strip=True): r.select_one(".summary-answer").get_text()
        for r in rows
    }
    story = by_label["What happened"]
    assert story.endswith("…") and len(story) <= 91
    assert LONG_STORY.startswith(story[:-1])
    assert by_label["What it is about"] == "My social worker, Seeing my family", (
        "choices on one line"
    )
    # "Change" shows the whole story, nothing lost.
    href = next(
        r.select_one(".summary-change a")["href"]
        for r in rows
        if r.select_one("dt").get_text(strip=True) == "What happened"
    )
    change = pages.get(href)
    assert step_id(change) == "what_happened"
    assert change.select_one("textarea").get_text().strip() == LONG_STORY


def test_a_child_is_not_given_the_rules_meant_for_staff(pages):
    check = answer_all(pages, YOUNG_PERSON)
    text = check.select_one("main").get_text(" ")
    for legal in [
        "which has set times",
        "so it is in time",
        "The law says young people",
        "children's complaints process",
    ]:
        assert legal not in text
    assert not check.select(".point"), "which procedure each point follows is for staff"
    # What will happen for them is still said: they asked for an advocate.
    assert check.select_one(".decisions li").get_text(strip=True) == (
        "We will ask the local advocacy service to get in touch. An advocate is free."
    )


def test_what_a_person_will_decide_is_still_said_before_sending(pages):
    answers = {**COMMON, **PERSONAS["parent"], "when": "over_a_year", "court_police": "police"}
    decisions = answer_all(pages, answers).select_one(".decisions").get_text(" ")
    assert "A person will decide" in decisions
    assert "until the police have finished" in decisions
    assert "does not mean you will be told the young person's private information" in decisions
    assert "You can complain. Parents" not in decisions


def test_the_staff_case_page_still_has_every_decision(app, pages, make_staff):
    check = answer_all(pages, YOUNG_PERSON)
    done = pages.submit(check, selector="#send-bottom")
    reference = done.select_one("#reference").get_text(strip=True)
    staff = sign_in(app, make_staff("manager"))
    case = staff.get(f"/staff/cases/{reference}")
    decided = case.select_one("#decisions-title").find_parent("section").get_text(" ")
    assert "In time: it happened in the last 12 months (reg 9)." in decided
    assert "Eligible as of right" in decided
    points = case.select_one("#points-title").find_parent("section").get_text(" ")
    assert points.count("(Children Act)") == 2, "each point with the procedure it follows"


def test_pressing_send_twice_sends_once(app, client):
    pages = PageClient(client)
    check = answer_all(pages, YOUNG_PERSON)
    top_action, top_fields = check.form_data("#send-top")
    bottom_action, bottom_fields = check.form_data("#send-bottom")
    before = _count(app)
    first = pages.post(top_action, top_fields)
    second = pages.post(bottom_action, bottom_fields)
    assert first.path == second.path == "/chat/done"
    assert first.select_one("#reference").text == second.select_one("#reference").text
    assert _count(app) == before + 1


def test_send_without_the_form_token_sends_nothing(app, client):
    pages = PageClient(client)
    answer_all(pages, YOUNG_PERSON)
    before = _count(app)
    response = client.post("/chat/send", data={})
    assert response.status_code == 400
    assert _count(app) == before
    assert pages.get("/chat/check").path == "/chat/check", "the answers are still there"
