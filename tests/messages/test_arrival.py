"""When a complaint arrives, the complainant hears by the route they chose, in their language:
their reference and a private link that works, or nothing at all when they said no."""

from __future__ import annotations

import pytest

from portal.flows import COMPLAINT, engine
from portal.services import complaints
from tests.messages.helpers import (
    ADVOCATE,
    BY_EMAIL,
    BY_TEXT,
    EMAIL,
    PHONE,
    outbox,
    private_link,
    send,
)
from tests.messages.test_catalogue import forbidden_in
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, open_link, send_complaint
from tests.staff.test_intake import _log, _reference, young_person

pytestmark = pytest.mark.pages  # what pages and messages say: PostgreSQL only (tests/conftest.py)

RECEIVED = "complaint_received"


def _stored(app, reference: str):
    with app.app_context():
        return complaints.by_reference(reference)


def test_an_email_contact_gets_one_neutral_message_in_their_language_with_a_working_link(app):
    person, reference = send(app, BY_EMAIL, language="cy")
    [message] = outbox(app, RECEIVED)
    assert (message.to_address, message.channel, message.audience, message.language) == (
        EMAIL,
        "email",
        "complainant",
        "cy",
    )
    assert message.subject == "Neges gan dy gyngor"  # Welsh for children: "ti" forms
    assert message.body.startswith(f"Cawson ni beth anfonaist ti. Dy gyfeirnod yw {reference}.")
    assert not forbidden_in(message.subject + message.body, "cy")
    assert "Jess" not in message.body and "cancelling" not in message.body
    assert _stored(app, reference).contact_safe is True
    # The link works in another browser (the person's email app on their phone).
    phone = PageClient(app.test_client())
    status = open_link(phone, private_link(message))
    assert status.path == "/progress"
    assert reference in status.text
    assert [m.id for m in outbox(app)] == [message.id], "one message, and nothing else"


def test_a_mobile_number_gets_a_text(app):
    _, reference = send(app, BY_TEXT, language="pl")
    [message] = outbox(app, RECEIVED)
    assert (message.to_address, message.channel, message.language) == (PHONE, "sms", "pl")
    assert reference in message.body and private_link(message)
    assert not forbidden_in(message.body, "pl")


def test_no_to_is_it_safe_means_nothing_is_sent_and_the_page_says_use_the_link(app):
    person = PageClient(app.test_client())
    done = send_complaint(person, {**BY_EMAIL, "contact_safe": "no"})
    reference = done.select_one("#reference").text.strip()
    assert outbox(app) == []
    assert _stored(app, reference).contact_safe is False
    assert "not safe" in done.select_one("#no-messages").text
    assert done.select_one("a#status-link")


def test_the_question_comes_once_after_the_address_and_only_for_their_own_address():
    asked = [s.id for s in engine.path(COMPLAINT, BY_EMAIL)]
    assert asked[asked.index("email") + 1] == "contact_safe"
    assert asked.count("contact_safe") == 1
    for answers in (YOUNG_PERSON, {**YOUNG_PERSON, "contact": "advocate"}, ADVOCATE):
        assert "contact_safe" not in [s.id for s in engine.path(COMPLAINT, answers)]


def test_private_link_only_means_no_messages(app):
    send(app, YOUNG_PERSON)
    assert outbox(app) == []


def test_an_advocate_gets_the_reference_and_never_the_link(app):
    _, reference = send(app, ADVOCATE)
    [message] = outbox(app, RECEIVED)
    assert (message.to_address, message.audience, message.channel) == (
        "sam@advocacy.example.org",
        "advocate",
        "email",
    )
    assert reference in message.body
    assert private_link(message) is None and "/s/" not in message.body
    assert not forbidden_in(message.subject + message.body, "en")


def test_through_their_advocate_or_social_worker_goes_to_that_service_without_the_link(app):
    _, by_advocate = send(app, {**YOUNG_PERSON, "contact": "advocate"}, language="ar")
    _, by_social_worker = send(app, {**YOUNG_PERSON, "contact": "social_worker"})
    advocate, social_worker = outbox(app, RECEIVED)
    assert (advocate.to_address, advocate.audience) == ("advocacy@example.org", "advocate")
    assert (social_worker.to_address, social_worker.audience) == (
        "social-work@council.example",
        "social_worker",
    )
    for message, reference in ((advocate, by_advocate), (social_worker, by_social_worker)):
        assert reference in message.body and private_link(message) is None
        assert message.language == "en", "a council or advocacy service inbox reads English"
        assert not forbidden_in(message.body, "en")


def test_a_complaint_staff_logged_is_acknowledged_the_same_way(app, officer):
    answers = young_person(contact="email", email=EMAIL, contact_safe="yes")
    reference = _reference(_log(officer, answers))
    [message] = outbox(app, RECEIVED)
    assert message.to_address == EMAIL and message.audience == "complainant"
    assert reference in message.body
    status = open_link(PageClient(app.test_client()), private_link(message))
    assert status.path == "/progress"


def test_a_complaint_staff_logged_with_a_no_is_not_written_to(app, officer):
    answers = young_person(contact="email", email=EMAIL, contact_safe="no")
    given = _log(officer, answers)
    assert outbox(app) == []
    assert not given.select("#send input[name=to][value=email]"), "their address is not offered"
