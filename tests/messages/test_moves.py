"""Each stage move that declares a message queues it, in the same transaction, with its
declared words: a date changed (the new date and the reason in plain words), a message from
staff, the answer is ready, it was stopped (so they learn if someone else stopped it), and, to
the officer a case is given to, a link to it."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, format_date, gettext

from portal.services import staff as accounts
from tests.messages.helpers import ADVOCATE, BY_EMAIL, EMAIL, outbox, private_link, send
from tests.messages.test_catalogue import forbidden_in
from tests.staff.conftest import do, load, sign_in

pytestmark = pytest.mark.pages  # what pages and messages say: PostgreSQL only (tests/conftest.py)

STAFF_WORDS = "The social worker is away."


def _to_stage_one(manager, reference: str) -> None:
    do(manager, reference, "accept_statutory")
    do(manager, reference, "acknowledge")


def _in(app, language: str, words: str, due=None) -> tuple[str, str | None]:
    """A move's plain words, and a date, as the complainant's language writes them."""
    with app.test_request_context(), force_locale(language):
        return gettext(words), (format_date(due, "EEEE d MMMM y") if due else None)


def test_an_extension_tells_them_the_new_date_and_why_in_their_language(app, manager):
    _, reference = send(app, BY_EMAIL, language="pl")
    _to_stage_one(manager, reference)
    assert outbox(app, "date_changed") == [], "accepting and acknowledging send nothing"
    do(manager, reference, "extend", reason=STAFF_WORDS, told="yes")
    [message] = outbox(app, "date_changed")
    reason, new_date = _in(app, "pl", "They need more time.", load(app, reference).next_deadline_on)
    assert (message.to_address, message.language, message.audience) == (EMAIL, "pl", "complainant")
    assert reason in message.body and new_date in message.body
    assert "Nowa data to" in message.body
    assert STAFF_WORDS not in message.body, "what staff wrote stays behind the private link"
    assert private_link(message) and not forbidden_in(message.body, "pl")


def test_a_pause_says_the_clock_stopped_and_a_restart_gives_the_new_date(app, manager):
    _, reference = send(app, BY_EMAIL)
    do(manager, reference, "pause", category="complainant_asked", reason="They asked to wait.")
    do(manager, reference, "resume")
    paused, resumed = outbox(app, "date_changed")
    assert "The council stopped the clock for now." in paused.body
    assert "The new date is" not in paused.body, "no date while the clock is stopped"
    _, new_date = _in(app, "en", "", load(app, reference).next_deadline_on)
    assert "The clock started again." in resumed.body
    assert f"The new date is {new_date}." in resumed.body
    assert "They asked to wait" not in paused.body


def test_a_message_from_staff_says_there_is_one_and_never_what_it_says(app, manager):
    _, reference = send(app, BY_EMAIL)
    do(manager, reference, "send_message", message="Hi Jess. We will call you on Friday.")
    [message] = outbox(app, "new_message")
    assert message.body.startswith("There is a new message for you.")
    assert "Jess" not in message.body and "Friday" not in message.body
    assert private_link(message)


def test_the_answer_being_ready_is_said(app, manager):
    _, reference = send(app, BY_EMAIL)
    _to_stage_one(manager, reference)
    points = {f"outcome-{p.id}": "not_upheld" for p in load(app, reference).points}
    do(manager, reference, "record_response", finding="Visits were cancelled.", **points)
    [message] = outbox(app, "answer_ready")
    assert message.body.startswith("Your answer is ready.")
    assert "cancelled" not in message.body and private_link(message)


def test_a_withdrawal_by_staff_tells_the_complainant(app, manager):
    _, reference = send(app, BY_EMAIL, language="ar")
    do(manager, reference, "withdraw", reason="Their carer said they are happy now.")
    [message] = outbox(app, "stopped")
    assert (message.to_address, message.language) == (EMAIL, "ar")
    assert "0300 123 4567" in message.body, "who to call if they did not ask for it"
    assert "carer" not in message.body and not forbidden_in(message.body, "ar")
    assert private_link(message)


def test_a_withdrawal_of_an_advocates_complaint_tells_the_advocate_without_the_link(app, manager):
    _, reference = send(app, ADVOCATE)
    do(manager, reference, "withdraw", reason="")
    [message] = outbox(app, "stopped")
    assert message.to_address == "sam@advocacy.example.org" and message.audience == "advocate"
    assert reference in message.body and private_link(message) is None


def test_a_move_that_is_refused_queues_nothing(app, manager):
    _, reference = send(app, BY_EMAIL)
    _to_stage_one(manager, reference)
    do(manager, reference, "extend", expect=400, reason="")
    assert outbox(app, "date_changed") == []


def test_assignment_tells_the_officer_with_a_link_and_no_case_content(app, manager, make_staff):
    email = make_staff("officer", name="Olu Officer")
    _, reference = send(app, BY_EMAIL)
    with app.app_context():
        officer_id = accounts.by_email(email).id
        manager_id = accounts.by_email("manager@council.example").id
    do(manager, reference, "assign", assignee=str(officer_id))
    [message] = outbox(app, "case_assigned")
    assert (message.to_address, message.audience, message.channel) == (email, "staff", "email")
    assert message.body.endswith(f"/staff/cases/{reference}")
    assert "cancelling" not in message.body and "Jess" not in message.body
    link = message.body.rsplit(" ", 1)[1]
    assert sign_in(app, email).get(link.split("5000", 1)[1]).h1 == f"Case {reference}"
    do(manager, reference, "assign", assignee=str(manager_id))
    assert len(outbox(app, "case_assigned")) == 1, "giving a case to yourself sends nothing"
