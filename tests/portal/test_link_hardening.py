"""The private link holds up on a shared phone: revocation is total, links are opened on
purpose, Exit ends the session on the server, and an optional secret word guards it all."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import event, func, select, text

from portal.extensions import db
from portal.models import Complaint, HelpRequest, OutboxMessage, PublicSession
from portal.services import complaints, status_links
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, close_as_staff, open_link, send_complaint

WORD = "Biscuit the dog"


def _send(app):
    """The complainant's own phone, on the confirmation page."""
    phone = PageClient(app.test_client())
    done = send_complaint(phone, YOUNG_PERSON)
    return phone, done, done.select_one("a#status-link")["href"]


def _stranger(app) -> PageClient:
    return PageClient(app.test_client())


def _complaint(app, reference: str) -> Complaint:
    with app.app_context():
        found = complaints.by_reference(reference)
        found.events  # noqa: B018 - load before the context ends
        return found


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


# Revocation is total ---------------------------------------------------------------------


def test_after_a_new_link_the_sending_browser_gets_nothing_from_done(app):
    phone, done, link = _send(app)
    other = _stranger(app)
    status = open_link(other, link)
    other.submit(status, selector="form[action='/progress/new-link']")
    again = phone.get("/chat/done")
    assert again.path == "/", "the old session is sent away, not handed a fresh link"
    assert not again.select_one("a#status-link")
    assert done.select_one("#reference").text.strip() not in again.text


def test_after_staff_revoke_every_door_is_shut(app):
    phone, done, link = _send(app)
    reference = done.select_one("#reference").text.strip()
    with app.app_context():
        status_links.revoke(complaints.by_reference(reference), actor="staff@council.example")
    for path in ["/chat/done", "/progress", "/progress/copy", "/progress/withdraw"]:
        response = phone.client.get(path)
        assert reference.encode() not in response.data, path
    token = phone.client.get("/progress")  # a fresh page for a CSRF token
    assert token.status_code in (200, 303)
    for path in ["/progress/new-link", "/progress/withdraw", "/progress/still-not-happy"]:
        response = phone.client.post(path, data={"csrf_token": _csrf(phone)})
        assert reference.encode() not in response.data, path
    assert _complaint(app, reference).stage != "closed", "nothing was withdrawn"


def _csrf(person: PageClient) -> str:
    page = person.get("/help")
    return page.select_one("input[name=csrf_token]")["value"]


def test_after_expiry_done_shows_nothing(app):
    phone, done, _ = _send(app)
    reference = done.select_one("#reference").text.strip()
    with app.app_context():
        close_as_staff(complaints.by_reference(reference))
    later = datetime.now(UTC) + timedelta(days=app.config["STATUS_LINK_DAYS_AFTER_CLOSE"] + 2)
    with time_machine.travel(later, tick=False):
        page = phone.get("/chat/done")
        assert reference not in page.text
        assert "My social worker" not in page.text


def test_a_token_older_than_the_limit_is_refused(app):
    _, _, link = _send(app)
    later = datetime.now(UTC) + timedelta(days=app.config["STATUS_LINK_MAX_DAYS"] + 1)
    with time_machine.travel(later, tick=False):
        page = _stranger(app).get(link)
        assert page.select_one("#link-problem")


# Opening a link is deliberate -------------------------------------------------------------


def test_fetching_a_link_creates_no_session_and_shows_nothing(app):
    _, done, link = _send(app)
    reference = done.select_one("#reference").text.strip()
    before = _count(app, PublicSession)
    scanner = app.test_client()
    for _ in range(3):  # an email or chat app looking at the link in advance
        response = scanner.get(link)
        assert response.status_code == 200
        assert reference.encode() not in response.data
        assert b"open-link-form" in response.data
    assert _count(app, PublicSession) == before
    assert scanner.get("/progress").status_code == 200
    assert reference.encode() not in scanner.get("/progress").data
    # The link still works for the person afterwards.
    assert open_link(_stranger(app), link).path == "/progress"


def test_the_continue_page_submits_itself_with_a_nonced_script(app):
    _, _, link = _send(app)
    page = _stranger(app).get(link)
    script = page.select_one("main script")
    assert "open-link-form" in str(script) and script.get("nonce")
    assert page.select_one("#open-link-form button[type=submit]"), "without JavaScript: a button"


def test_opening_a_link_starts_a_fresh_server_session(app):
    phone, _, link = _send(app)
    old_sid = phone.client.get_cookie("su_session", domain="speakup.test")
    open_link(phone, link)
    assert phone.client.get_cookie("su_session", domain="speakup.test").value != old_sid.value


# Exit ends the session on the server -----------------------------------------------------


def test_a_cookie_copied_before_exit_opens_nothing_after_it(app):
    phone, done, _ = _send(app)
    reference = done.select_one("#reference").text.strip()
    copied = phone.client.get_cookie("su_session", domain="speakup.test").value
    phone.client.get("/exit")
    thief = app.test_client()
    thief.set_cookie("su_session", copied, domain="speakup.test")
    for path in ["/progress", "/chat/done", "/progress/copy"]:
        response = thief.get(path, follow_redirects=True)
        assert reference.encode() not in response.data, path
    assert _count(app, PublicSession, PublicSession.ended_utc.is_(None)) == 0


def test_a_draft_copied_before_exit_is_gone_after_it(app):
    person = PageClient(app.test_client())
    page = person.get("/chat/who")
    person.submit(page, {"answer": "self"})
    copied = person.client.get_cookie("su_session", domain="speakup.test").value
    person.client.get("/exit")
    thief = PageClient(app.test_client())
    thief.client.set_cookie("su_session", copied, domain="speakup.test")
    assert thief.get("/chat/self_status").path == "/chat/who", "the draft is not reachable"


# The secret word --------------------------------------------------------------------------


def _set_word(phone: PageClient, page, word: str = WORD):
    return phone.submit(page, {"word": word, "again": word}, selector="#secret-word form")


def test_the_confirmation_page_offers_a_secret_word(app):
    phone, done, _ = _send(app)
    panel = done.select_one("#secret-word")
    assert panel and panel.select_one("input[type=password][name=word]")
    saved = _set_word(phone, done)
    assert saved.path == "/progress"
    assert "Your secret word is saved." in saved.text
    with app.app_context():
        stored = db.session.scalars(select(Complaint)).one()
        assert stored.secret_word_hash.startswith("scrypt:")
        assert WORD.lower() not in stored.secret_word_hash


def test_a_new_browser_must_give_the_word_before_anything_is_shown(app):
    phone, done, link = _send(app)
    reference = done.select_one("#reference").text.strip()
    _set_word(phone, done)
    other = _stranger(app)
    asked = open_link(other, link)
    assert asked.path == "/progress/word/check"
    assert reference not in asked.text and "My social worker" not in asked.text
    for path in ["/progress/copy", "/progress/withdraw", "/chat/done"]:
        assert reference.encode() not in other.client.get(path, follow_redirects=True).data
    wrong = other.submit(asked, {"word": "cat"}, selector="main form", expect=400)
    assert "You can try 4 more times." in wrong.text
    assert wrong.select_one(".error-summary a[href='#word']")
    right = other.submit(wrong, {"word": "  biscuit THE dog "}, selector="main form")
    assert right.path == "/progress"
    assert right.select_one("#reference").text.strip() == reference
    assert phone.get("/progress").path == "/progress", "the browser that set it is not asked"


def test_too_many_wrong_words_pause_the_link_kindly(app):
    phone, done, link = _send(app)
    _set_word(phone, done)
    other = _stranger(app)
    page = open_link(other, link)
    for _ in range(4):
        page = other.submit(page, {"word": "wrong"}, selector="main form", expect=400)
    paused = other.submit(page, {"word": "wrong"}, selector="main form", expect=429)
    assert paused.h1 == "Let's keep your complaint safe"
    assert app.config["COUNCIL_COMPLAINTS_PHONE"] in paused.text
    assert "advocate" in paused.text
    again = open_link(_stranger(app), link)
    refused = _stranger_submit(app, again, link)
    assert refused.status_code == 429, "even the right word waits while the link is paused"


def _stranger_submit(app, _page, link):
    person = _stranger(app)
    asked = open_link(person, link)
    action, fields = asked.form_data("main form")
    return person.client.post(action, data={**fields, "word": WORD})


def test_wrong_words_sent_at_once_are_all_counted(app):
    app.config["TEST_HASH_METHOD"] = "scrypt"  # the real cost, so the checks overlap as live
    phone, done, _ = _send(app)
    _set_word(phone, done)
    reference = done.select_one("#reference").text.strip()
    barrier = threading.Barrier(4)

    def guess():
        with app.app_context():
            complaint = complaints.by_reference(reference)
            barrier.wait()
            status_links.try_word(complaint, "wrong")

    threads = [threading.Thread(target=guess) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _complaint(app, reference).secret_word_failures == 4


def test_new_link_and_withdraw_ask_for_the_word(app):
    phone, done, _ = _send(app)
    reference = done.select_one("#reference").text.strip()
    status = _set_word(phone, done)
    form = "form[action='/progress/new-link']"
    refused = phone.submit(status, {"word": "nope"}, selector=form, expect=400)
    assert "not your secret word" in refused.text
    fresh = phone.submit(refused, {"word": WORD}, selector=form)
    assert "Here is your new private link" in fresh.text
    stop = phone.get("/progress/withdraw")
    refused = phone.submit(stop, {"word": "nope"}, selector="main form", expect=400)
    assert _complaint(app, reference).stage != "closed"
    phone.submit(refused, {"word": WORD}, selector="main form")
    assert _complaint(app, reference).stage == "closed"


def test_forgotten_word_help_reaches_the_complaints_team(app):
    phone, done, link = _send(app)
    _set_word(phone, done)
    other = _stranger(app)
    asked = open_link(other, link)
    help_page = other.get("/progress/word/help")
    sent = other.submit(help_page, {"how_to_reach": "Text me after school"}, selector="main form")
    assert sent.h1 == "We have told the complaints team"
    with app.app_context():
        alert = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "link_help")
        ).one()
        assert alert.to_address == app.config["COUNCIL_COMPLAINTS_EMAIL"]
        assert "complain" not in alert.body.lower()
    assert asked.path == "/progress/word/check"


# Withdrawing -----------------------------------------------------------------------------


def test_a_withdrawal_is_marked_for_staff_to_check(app):
    phone, done, _ = _send(app)
    reference = done.select_one("#reference").text.strip()
    stop = phone.get("/progress/withdraw")
    phone.submit(stop, {"reason": "I sorted it out"}, selector="main form")
    stored = _complaint(app, reference)
    assert stored.stage == "closed" and stored.withdrawal_to_check
    assert stored.events[-1].note == "I sorted it out"


def test_a_withdraw_that_races_a_staff_move_asks_to_try_again_and_keeps_the_words(app):
    phone, done, _ = _send(app)
    reference = done.select_one("#reference").text.strip()
    stop = phone.get("/progress/withdraw")
    undo = _staff_moves_first_once(app, reference)
    try:
        page = phone.submit(stop, {"reason": "Please stop now"}, selector="main form", expect=409)
    finally:
        undo()
    assert page.select_one("#try-again")
    assert page.select_one("textarea[name=reason]").text == "Please stop now"
    assert _complaint(app, reference).stage != "closed"


# Help is not a flood ----------------------------------------------------------------------


def test_asking_for_help_again_folds_into_one_alert(app):
    person = PageClient(app.test_client())
    page = person.get("/help")
    for _ in range(4):
        page = person.submit(page, {"how": "phone", "phone": "07700 900123"})
        page = person.get("/help")
    with app.app_context():
        request = db.session.scalars(select(HelpRequest)).one()
        assert request.times_asked == 4
        alert = db.session.scalars(select(OutboxMessage)).one()
        assert "4 times" in alert.body


@pytest.mark.parametrize("attempts", [12])
def test_help_is_limited_per_address(app, attempts):
    codes = []
    for _ in range(attempts):
        person = PageClient(app.test_client())  # a new cookie each time
        page = person.get("/help")
        action, fields = page.form_data("main form")
        response = person.client.post(
            action, data={**fields, "how": "text", "phone": "07700900123"}
        )
        codes.append(response.status_code)
    assert 429 in codes
    assert _count(app, HelpRequest) <= 5


def _staff_moves_first_once(app, reference: str):
    """Make a staff move land between this request's read and its write, once."""
    engine = app.extensions["database"][0]
    session_class = app.extensions["database"][1]
    raced = []

    def listener(session, _context, _instances):
        if not raced:
            raced.append(True)
            with engine.begin() as other:
                other.execute(
                    text("UPDATE complaint SET version = version + 1 WHERE reference = :r"),
                    {"r": reference},
                )

    event.listen(session_class, "before_flush", listener)
    return lambda: event.remove(session_class, "before_flush", listener)


def test_any_conflict_on_a_public_page_is_a_kind_try_again(app):
    phone, done, _ = _send(app)
    reference = done.select_one("#reference").text.strip()
    status = phone.get("/progress")
    stop = _staff_moves_first_once(app, reference)
    try:
        page = phone.submit(status, selector="form[action='/progress/new-link']", expect=409)
    finally:
        stop()
    assert page.h1 == "Please try again"
    assert page.select_one("a.button")["href"] == "/progress"
    assert _complaint(app, reference).status_link_version == 1, "nothing was saved"


def test_worrying_words_are_flagged_even_when_a_staff_move_lands_first(app):
    phone, done, _ = _send(app)
    reference = done.select_one("#reference").text.strip()
    stop_page = phone.get("/progress/word/help")
    stop = _staff_moves_first_once(app, reference)
    try:
        page = phone.submit(
            stop_page, {"how_to_reach": "my dad hits me"}, selector="main form", expect=409
        )
    finally:
        stop()
    assert page.h1 == "Please try again"
    assert page.select_one("textarea[readonly]").text == "my dad hits me", "their words come back"
    assert _complaint(app, reference).urgent, "the safety net flags what the request could not"


def test_words_about_harm_are_stored_with_the_flag_in_one_transaction(app):
    """The withdraw reason and its urgent flag are written together, or not at all."""
    phone, done, _ = _send(app)
    reference = done.select_one("#reference").text.strip()
    stop = phone.get("/progress/withdraw")
    phone.submit(stop, {"reason": "my step dad punched me"}, selector="main form")
    stored = _complaint(app, reference)
    flagged = [e for e in stored.events if e.type == "flagged_urgent"]
    withdrawn = [e for e in stored.events if e.type == "complaint_withdrawn"]
    assert stored.urgent and flagged and withdrawn
    assert flagged[-1].id < withdrawn[-1].id, "flagged as the words were stored, not after"
    with app.app_context():
        alerts = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.complaint_id == stored.id)
        ).all()
    assert len(alerts) == 1, "one alert for one answer"
