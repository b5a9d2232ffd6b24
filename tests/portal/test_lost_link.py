""" "I lost my link": a new link to the address given, the same page whatever was typed."""

from __future__ import annotations

import importlib.util
import re
import statistics
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from portal import contact
from portal.extensions import db
from portal.models import Complaint, OutboxMessage
from portal.services import complaints, status_links
from portal.views import lost_link
from tests.pages import Page, PageClient
from tests.portal.journey import PARENT, YOUNG_PERSON, open_link, send_complaint

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "parent@example.com"
BY_EMAIL = {**PARENT, "contact_safe": "yes"}  # they said messages may come there
BY_TEXT = {**BY_EMAIL, "contact": "text", "phone": "07700900123"}
BY_TEXT.pop("email", None)
FAST = 0.05  # the minimum reply time for tests that do not measure it
LINK = re.compile(r"https?://\S+/s/\S+")
VARIES = re.compile(r'(name="csrf_token" value|nonce)="[^"]*"')


@pytest.fixture
def app(make_app):
    return make_app(LOST_LINK_MIN_SECONDS=FAST)


def _person(app, address: str = "127.0.0.1") -> PageClient:
    """Someone on their own phone (a network address of their own, so limits are theirs)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return PageClient(client)


def _send(app, answers: dict) -> tuple[str, str]:
    done = send_complaint(_person(app), answers)
    return done.select_one("#reference").text.strip(), done.select_one("a#status-link")["href"]


def _ask(person: PageClient, typed: str, expect: int = 200) -> Page:
    form = person.get("/lost-link")
    return person.submit(form, {"contact": typed}, selector="#lost-link-form", expect=expect)


def _messages(app) -> list[OutboxMessage]:
    with app.app_context():
        found = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == status_links.LOST_LINK)
            .order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return list(found)


def _complaint(app, reference: str) -> Complaint:
    with app.app_context():
        found = complaints.by_reference(reference)
        db.session.expunge(found)
        return found


def _same_page(html: str) -> str:
    return VARIES.sub(r'\1=""', html)


# A known address ----------------------------------------------------------------------------


def test_a_known_email_gets_a_new_link_and_the_old_one_stops(app):
    reference, old = _send(app, BY_EMAIL)
    before = _complaint(app, reference).status_link_version
    page = _ask(_person(app, "10.0.0.1"), "  Parent@Example.COM ")
    assert page.path == "/lost-link/sent"
    assert page.h1 == "Check your messages"
    [message] = _messages(app)
    assert (message.channel, message.audience, message.to_address) == (
        "email",
        "complainant",
        EMAIL,
    )
    assert message.complaint_id == _complaint(app, reference).id
    assert _complaint(app, reference).status_link_version == before + 1
    [new] = LINK.findall(message.body)
    assert open_link(_person(app), old).h1 == "This link does not work"
    opened = open_link(_person(app), new)
    assert opened.path == "/progress"
    assert opened.select_one("#reference").text.strip() == reference


def test_the_message_is_neutral(app):
    _send(app, BY_EMAIL)
    _ask(_person(app), EMAIL)
    [message] = _messages(app)
    words = (message.subject + " " + message.body).lower()
    for never in ("complain", "harm", "social", "care", "jess", "abuse", "reference"):
        assert never not in words, never
    assert message.subject.startswith("A message from ")


def test_a_known_mobile_matches_however_it_is_written(app):
    reference, _ = _send(app, BY_TEXT)
    with app.app_context():
        stored = complaints.by_reference(reference).contact_lookup
        typed = contact.lookup_hash(contact.normalise("+44 (0)7700 900 123"), "x" * 40)
    assert stored and len(stored) == 64 and "7700" not in stored
    assert stored != typed, "the hash is keyed: another key gives another hash"
    _ask(_person(app), "+44 7700 900123")
    [message] = _messages(app)
    assert (message.channel, message.to_address) == ("sms", "07700900123")


def test_several_complaints_get_a_link_each_in_one_message(app):
    first, old_first = _send(app, BY_EMAIL)
    second, old_second = _send(app, BY_EMAIL)
    _ask(_person(app), EMAIL)
    [message] = _messages(app)
    links = LINK.findall(message.body)
    assert len(links) == 2
    seen = {open_link(_person(app), link).select_one("#reference").text.strip() for link in links}
    assert seen == {first, second}
    for old in (old_first, old_second):
        assert open_link(_person(app), old).h1 == "This link does not work"


def test_a_secret_word_does_not_stop_the_link_and_is_still_asked_for(app):
    reference, _ = _send(app, BY_EMAIL)
    with app.app_context():
        status_links.set_word(complaints.by_reference(reference), "Biscuit the dog")
    _ask(_person(app), EMAIL)
    [message] = _messages(app)
    [new] = LINK.findall(message.body)
    assert open_link(_person(app), new).path == "/progress/word/check"


def test_an_address_they_said_was_not_safe_gets_nothing(app):
    reference, old = _send(app, BY_EMAIL)
    with app.app_context():
        complaints.by_reference(reference).contact_safe = False
        db.session.commit()
    page = _ask(_person(app), EMAIL)
    assert page.path == "/lost-link/sent"
    assert _messages(app) == []
    assert open_link(_person(app), old).path == "/progress"


def test_the_message_is_in_the_language_the_complaint_was_sent_in(app):
    welsh = _person(app)
    welsh.get("/language/cy?next=/")
    send_complaint(welsh, BY_EMAIL)
    _ask(_person(app), EMAIL)  # asked from a page in English
    [message] = _messages(app)
    assert message.language == "cy"
    assert not message.subject.startswith("A message from")
    assert "You asked for a new private link" not in message.body


# Nothing to tell between known and unknown ----------------------------------------------------


def test_an_unknown_address_gets_the_same_page_and_nothing_is_sent(app):
    reference, old = _send(app, BY_EMAIL)
    replies = {}
    for name, typed in (("known", EMAIL), ("unknown", "nobody@example.com")):
        person = _person(app, f"10.0.1.{len(replies) + 1}")
        form = person.get("/lost-link")
        action, fields = form.form_data("#lost-link-form")
        response = person.client.post(action, data={**fields, "contact": typed})
        sent = person.get(response.headers["Location"])
        replies[name] = (response.status_code, response.headers["Location"], sent)
    known, unknown = replies["known"], replies["unknown"]
    assert known[:2] == unknown[:2] == (303, "/lost-link/sent")
    html = [_same_page(r[2].response.get_data(as_text=True)) for r in (known, unknown)]
    assert html[0] == html[1]
    assert "0300 123 4567" in unknown[2].text, "how to reach the council instead"
    assert unknown[2].select_one("#lost-link-help")
    assert len(_messages(app)) == 1, "only the known address got a message"


def test_the_form_itself_is_the_same_before_and_after(app):
    _send(app, BY_EMAIL)
    pages = [_person(app, f"10.0.2.{n}").get("/lost-link") for n in (1, 2)]
    first, second = (_same_page(p.response.get_data(as_text=True)) for p in pages)
    assert first == second


def test_every_reply_takes_the_same_minimum_time(make_app):
    floor = 0.3
    app = make_app(LOST_LINK_MIN_SECONDS=floor)
    _send(app, BY_EMAIL)
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(3):  # three a typed address may ask for in an hour
        for name, typed in (("known", EMAIL), ("unknown", f"nobody{n}@example.com")):
            person = _person(app, f"10.0.3.{len(times['known']) * 2 + len(times['unknown'])}")
            form = person.get("/lost-link")
            action, fields = form.form_data("#lost-link-form")
            started = time.perf_counter()
            response = person.client.post(action, data={**fields, "contact": typed})
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 303
    assert min(times["known"] + times["unknown"]) >= floor
    # Medians: a difference in the work shows in every reply, where a busy machine (the whole
    # suite on two cores) can hold up any one of them by a second or more.
    gap = abs(statistics.median(times["known"]) - statistics.median(times["unknown"]))
    assert gap < floor / 2, times


def test_slow_work_is_padded_to_a_whole_number_of_minimums():
    slept: list[float] = []
    lost_link.take_at_least(0.5, 10.0, clock=lambda: 10.1, sleep=slept.append)
    lost_link.take_at_least(0.5, 10.0, clock=lambda: 10.7, sleep=slept.append)
    lost_link.take_at_least(0.5, 10.0, clock=lambda: 11.0, sleep=slept.append)
    lost_link.take_at_least(0, 10.0, clock=lambda: 10.1, sleep=slept.append)
    assert slept == [pytest.approx(0.4), pytest.approx(0.3), pytest.approx(0.0)]


# Limits, CSRF and hostile input ---------------------------------------------------------------


def test_one_address_is_limited_with_a_kind_page(app):
    codes = []
    for n in range(5):
        person = _person(app, f"10.0.4.{n}")  # a new phone each time: the address is counted
        form = person.get("/lost-link")
        action, fields = form.form_data("#lost-link-form")
        response = person.client.post(action, data={**fields, "contact": "someone@example.com"})
        codes.append(response.status_code)
    assert codes[:3] == [303, 303, 303]
    assert codes[3:] == [429, 429]
    page = _ask(_person(app, "10.0.4.99"), "Someone@Example.com", expect=429)
    assert page.h1 == "Too many tries"
    assert "0300 123 4567" in page.text
    assert page.select_one("#lost-link-help")
    # Another address from the same place is still fine.
    assert _ask(_person(app, "10.0.4.99"), "other@example.com").path == "/lost-link/sent"


def test_one_browser_is_limited(app):
    person = _person(app, "10.0.5.1")
    codes = []
    for n in range(7):
        form = person.get("/lost-link")
        action, fields = form.form_data("#lost-link-form")
        response = person.client.post(action, data={**fields, "contact": f"n{n}@example.com"})
        codes.append(response.status_code)
    assert codes[:5] == [303] * 5
    assert 429 in codes[5:]


def test_csrf_is_enforced(app):
    _send(app, BY_EMAIL)
    person = _person(app)
    person.get("/lost-link")
    response = person.client.post("/lost-link", data={"contact": EMAIL})
    assert response.status_code == 400
    assert _messages(app) == []


def test_a_wrong_format_says_what_to_fix(app):
    for typed, message in (
        ("", "Write your email address or mobile number."),
        ("not an address", "Write an email address like name@example.com."),
        ("01632 960123", "Or a mobile number like 07700 900123."),
    ):
        page = _ask(_person(app), typed, expect=400)
        assert message in page.select_one(".error-summary").text
        assert page.select_one("#contact")["aria-describedby"] == "contact-hint contact-error"


@pytest.mark.parametrize(
    "typed",
    [
        "a\x00b@example.com",
        "x" * 6000,
        "<script>alert(1)</script>@example.com",
        "07700\u200b900123",
        "@",
        "@@@",
        "+",
        "٠٧٧٠٠٩٠٠١٢٣",
        "parent@example.com\r\nBcc: x@example.com",
        "' OR 1=1 --",
        "99999999999999999999999",
    ],
)
def test_hostile_input_never_fails(app, typed):
    _send(app, BY_EMAIL)
    person = _person(app)
    form = person.get("/lost-link")
    action, fields = form.form_data("#lost-link-form")
    response = person.client.post(action, data={**fields, "contact": typed})
    assert response.status_code in (303, 400, 413)
    for message in _messages(app):
        assert "\n" not in message.to_address and "\r" not in message.to_address


def test_a_raw_body_that_is_not_utf8_is_refused_kindly(app):
    person = _person(app)
    person.get("/lost-link")
    response = person.client.post(
        "/lost-link",
        data=b"contact=%FF%FEab%C3%28&csrf_token=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code < 500


# Everywhere, and private ----------------------------------------------------------------------


def test_every_public_page_has_the_link_in_its_footer(app):
    person = _person(app)
    pages = ["/", "/privacy", "/help", "/chat/who", "/lost-link", "/lost-link/sent"]
    for path in pages:
        page = person.get(path)
        assert page.select_one("footer a#lost-link")["href"] == "/lost-link", path
    missing = person.get("/no-such-page", expect=404)
    assert missing.select_one("footer a#lost-link")
    problem = open_link(person, "/s/not-a-real-token")
    assert problem.h1 == "This link does not work"
    assert problem.select_one("#link-problem a#lost-link")["href"] == "/lost-link"
    assert problem.select_one("footer a[href='/lost-link']")
    status = open_link(_person(app), _send(app, YOUNG_PERSON)[1])
    assert status.select_one("footer a#lost-link")


def test_the_pages_are_not_stored(app):
    person = _person(app)
    for path in ("/lost-link", "/lost-link/sent"):
        assert person.client.get(path).headers["Cache-Control"] == "no-store"


def test_the_field_fits_an_email_or_a_phone(app):
    field = _person(app).get("/lost-link").select_one("#contact")
    assert field["autocomplete"] == "email"
    assert field["inputmode"] == "email"
    assert field["type"] == "text", "a phone number must be accepted too"


# The keyed lookup -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (" Jo@Example.COM ", ("email", "jo@example.com")),
        ("07700 900123", ("mobile", "07700900123")),
        ("+44 7700 900123", ("mobile", "07700900123")),
        ("+44 (0) 7700-900-123", ("mobile", "07700900123")),
        ("0044 7700 900123", ("mobile", "07700900123")),
        ("447700900123", ("mobile", "07700900123")),
        ("٠٧٧٠٠ ٩٠٠١٢٣", ("mobile", "07700900123")),
        ("01632 960123", None),
        ("jo@", None),
        ("", None),
        (None, None),
        ("x" * 300 + "@example.com", None),
    ],
)
def test_addresses_are_read_into_one_form(typed, expected):
    found = contact.normalise(typed)
    assert ((found.kind, found.value) if found else None) == expected


def test_the_lookup_is_the_same_for_every_way_of_writing_it():
    secret = "s" * 40
    hashes = {
        contact.lookup_hash(contact.normalise(typed), secret)
        for typed in ("07700900123", "+447700900123", "07700 900 123", "0044 7700 900123")
    }
    assert len(hashes) == 1
    email = contact.lookup_hash(contact.normalise("a@example.com"), secret)
    assert email != contact.lookup_hash(contact.normalise("A@example.com "), "t" * 40)
    assert email == contact.lookup_hash(contact.normalise("A@example.com "), secret)


def test_only_the_route_chosen_for_messages_is_looked_up():
    answers = {"email": "a@example.com", "phone": "07700900123"}
    assert contact.given_with("email", answers).value == "a@example.com"
    assert contact.given_with("text", answers).value == "07700900123"
    assert contact.given_with("link_only", answers) is None
    assert contact.given_with("advocate", answers) is None
    assert contact.lookup_for("link_only", answers, "s" * 40) is None


def test_the_migration_fills_in_complaints_sent_before(app):
    reference, _ = _send(app, BY_EMAIL)
    path = ROOT / "portal" / "migrations" / "versions" / "0009_contact_lookup_backfill.py"
    spec = importlib.util.spec_from_file_location("backfill_0009", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        expected = complaints.by_reference(reference).contact_lookup
        db.session.execute(Complaint.__table__.update().values(contact_lookup=None))
        db.session.commit()
        with db.engine.begin() as connection:
            filled = migration.backfill(connection, app.config["SECRET_KEY"])
        assert filled == 1
        db.session.expire_all()
        assert complaints.by_reference(reference).contact_lookup == expected
    _ask(_person(app), EMAIL)
    assert len(_messages(app)) == 1
