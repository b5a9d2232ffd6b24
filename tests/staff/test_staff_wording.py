"""Staff pages speak to staff (issue 17, part 6): what the rules decided and why a case is
urgent in staff words, never a stored value as it is stored, "Skipped" for an optional question
left empty, topics and what each deadline is for on the tracker, and times in UK local time
(Europe/London) with the date, in summer (BST) and in winter (GMT).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from portal.clock import LONDON
from portal.flows import JOURNEYS
from portal.flows.rules import REASONS
from portal.stages import DUE_FOR, OMBUDSMAN_DECISIONS, PAUSE_REASONS, UNABLE_CATEGORIES
from portal.types import Consent, Outcome
from staff import words
from tests.pages import PageClient
from tests.portal.journey import PARENT, YOUNG_PERSON, send_complaint
from tests.staff.conftest import do, sign_in

pytestmark = pytest.mark.pages

BY_TEXT = {**YOUNG_PERSON, "contact": "text", "phone": "07700 900123", "contact_safe": "yes"}
WORRIED = {**YOUNG_PERSON, "what_happened": "My carer hits me and I want to kill myself."}
CHILD_WORDING = ("worried us", "Your age", "Who you are", "In your own words", "My social worker")


def _send(app, answers) -> str:
    done = send_complaint(PageClient(app.test_client()), answers)
    return done.select_one("#reference").text.strip()


def _raw_values() -> set[str]:
    """Every value the journey stores for a choice, and the enums a case page could show."""
    values = {
        choice.value
        for journey in JOURNEYS.values()
        for step in journey.steps
        for choice in step.choices
    }
    values |= {c.value for c in Consent} | {o.value for o in Outcome}
    values |= set(DUE_FOR) | set(PAUSE_REASONS) | set(UNABLE_CATEGORIES)
    values |= set(OMBUDSMAN_DECISIONS) | {"harm_from_others", "self_harm", "asked_for_help"}
    return values


def _shown(case) -> list[str]:
    """Every answer and fact a case page shows, one string each."""
    cells = case.select(".summary-answer, .case-facts dd, .staff-timeline li, #decisions li")
    return [" ".join(c.get_text(" ").split()) for c in cells]


def test_every_intake_decision_has_staff_wording():
    missing = sorted(set(REASONS) - set(words.DECISIONS) - words.URGENT_DECISIONS)
    assert not missing, f"no staff wording for: {missing}"
    said_to_the_person = {str(w) for worded in REASONS.values() for w in worded.values()}
    for line in words.DECISIONS.values():
        assert line[0].isupper() and line.endswith((".", ")")), line
        assert line not in said_to_the_person, f"the public wording, not staff's: {line}"
        assert "You can complain" not in line and "Thank you" not in line, line


def test_the_intake_section_says_which_concept_was_found_in_staff_words(app, make_staff):
    officer = sign_in(app, make_staff("officer"))
    case = officer.get(f"/staff/cases/{_send(app, WORRIED)}")
    decided = case.select_one("#decisions").text
    assert "Safety words found in what they wrote: harm from others, self-harm" in decided
    assert "Eligible as of right" in decided
    assert "In time: it happened in the last 12 months (reg 9)." in decided
    for child in CHILD_WORDING:
        assert child not in case.text, child
    assert "Flagged urgent (harm from others, self-harm)." in case.text


def test_the_intake_section_says_the_help_button_was_pressed(app, make_staff):
    from portal.services import complaints, safety

    reference = _send(app, YOUNG_PERSON)
    with app.app_context():
        safety.request_help(None, complaints.by_reference(reference), "phone", "07700 900123")
    officer = sign_in(app, make_staff("officer"))
    case = officer.get(f"/staff/cases/{reference}")
    assert "The help button (“I don't feel safe”) was pressed" in case.select_one("#decisions").text
    assert "Asked for urgent contact (by phone)." in case.text
    help_page = officer.get(case.select_one("#urgent a[href*='/staff/help/']")["href"])
    assert "Contact them by phone" in help_page.text and "UTC" not in help_page.text


@pytest.mark.parametrize("answers", [YOUNG_PERSON, BY_TEXT, PARENT], ids=["link", "text", "parent"])
def test_no_staff_page_shows_a_raw_value_for_an_answer(app, make_staff, answers):
    manager = sign_in(app, make_staff("manager"))
    reference = _send(app, {**answers, "what_happened": WORRIED["what_happened"]})
    do(manager, reference, "pause", category="advocate", reason="Finding an advocate.")
    do(manager, reference, "resume")
    do(manager, reference, "cannot_consider", category="out_of_time", reason="Too long ago.")
    case = manager.get(f"/staff/cases/{reference}")
    raw = _raw_values()
    shown = _shown(case)
    assert shown
    for text in shown:
        assert text not in raw, f"a raw value on the case page: {text!r}"
        stored = [w for w in re.findall(r"[a-z]+(?:_[a-z]+)+", text)]
        assert not stored, f"a stored value in {text!r}"
        assert re.search(r"\((?:text|advocate|email|phone|link_only)\)", text) is None, text
    how = case.select_one("#contact-method").text
    assert how in {
        "No messages: they use their private link",
        "By text message",
        "By email",
    }
    assert "Outcome" in case.text and "The council could not consider it" in case.text
    assert "Clock paused (Waiting for an advocate the young person asked for)" in case.text
    assert "The council cannot consider it (Made too late to look at fairly)" in case.text


def test_an_optional_question_left_empty_says_skipped(app, make_staff):
    officer = sign_in(app, make_staff("officer"))
    case = officer.get(f"/staff/cases/{_send(app, YOUNG_PERSON)}")
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in case.select(".summary-row")
    }
    assert rows["To help find records"] == "Skipped"
    assert rows["Their name"] == "Jess"
    assert rows["What it is about"] == "Social worker Family time and contact"
    assert all(answer for answer in rows.values()), "an answer is blank"


def test_the_tracker_says_what_each_deadline_is_for_and_the_topic(app, make_staff):
    manager = sign_in(app, make_staff("manager"))
    young, parent = _send(app, YOUNG_PERSON), _send(app, {**PARENT, "topics": ["home"]})
    do(manager, parent, "accept_and_acknowledge")
    page = manager.get("/staff/cases")
    rows = {
        tr.select_one("td a").text: [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.select("table.tracker tbody tr")
    }
    assert rows[young][7] == "Social worker Family time and contact"
    assert rows[young][4].startswith("Acknowledgement:")
    assert rows[parent][7] == "Where the young person lives"
    assert rows[parent][4].startswith("Stage 1 response:")
    # Filters: what is due next, and the topic.
    due = manager.get("/staff/cases?due_what=stage_1_response")
    assert [a.text for a in due.select("tbody td:first-child a")] == [parent]
    about = manager.get("/staff/cases?topic=family")
    assert [a.text for a in about.select("tbody td:first-child a")] == [young]
    both = manager.get("/staff/cases?topic=home&due_what=acknowledge")
    assert both.select_one("#count").text.startswith("0 cases")
    odd = manager.get("/staff/cases?topic=<script>&due_what=nonsense")  # ignored, never a 500
    assert odd.select_one("#count").text.startswith("2 cases")
    assert odd.select_one("#topic option[selected]") is None
    labels = [o.text for o in page.select("#due_what option")]
    for what in ("Acknowledgement", "Stage 1 response", "Stage 2 investigation and response"):
        assert what in labels
    assert "Stage 3 review panel held" in labels


def _at(moment: datetime):
    return time_machine.travel(moment, tick=False)


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        # British Summer Time: UTC+1, so 13:05 UTC is 14:05 in the UK.
        (datetime(2026, 7, 1, 13, 5, tzinfo=UTC), "Wednesday 1 July 2026, 14:05"),
        # Greenwich Mean Time: the UK is on UTC.
        (datetime(2026, 12, 1, 13, 5, tzinfo=UTC), "Tuesday 1 December 2026, 13:05"),
        # Just before midnight in the UK in summer is already the next day in UK time.
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "Wednesday 1 July 2026, 00:30"),
    ],
    ids=["bst", "gmt", "bst-after-midnight"],
)
def test_staff_times_are_in_uk_local_time_with_the_date(app, make_staff, moment, shown):
    make_staff("manager")
    with _at(moment):
        reference = _send(app, WORRIED)
        manager = sign_in(app, "manager@council.example")
        case = manager.get(f"/staff/cases/{reference}")
        assert shown in case.select_one("#urgent-found").text
        assert f"Queued {shown}" in case.select_one("#message-log").text
        tracker = manager.get("/staff/cases")
        since = tracker.select_one(".urgent-since").text
        clock = shown.rsplit(", ", 1)[1]
        day = moment.astimezone(LONDON).date()
        assert f"{day.day} {day:%b}" in since and clock in since
