"""Help that is true and one tap away (issue 17): numbers that dial, read left to right in
every language, and a help page that promises only what is true at that moment."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal import config as settings
from portal.extensions import db
from portal.models import HelpRequest
from portal.services import safety as safety_service
from tests.pages import PageClient
from tests.staff.conftest import make_staff, sign_in  # noqa: F401 - fixtures
from tests.test_production import PRODUCTION

pytestmark = pytest.mark.pages

MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 10:00 in London (GMT)
MONDAY_8PM = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
SATURDAY_NOON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PHONE_LIKE = re.compile(r"(?<![0-9])(999|0[0-9]{3} ?[0-9]{3} ?[0-9]{0,4})(?![0-9])")


def _at(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(safety_service, "now_utc", lambda: moment)


def _help(make_app, monkeypatch, moment, **config) -> tuple[PageClient, object]:
    app = make_app(**config)
    _at(monkeypatch, moment)
    return PageClient(app.test_client()), app


def test_in_working_hours_the_page_says_until_when_today(make_app, monkeypatch):
    pages, app = _help(make_app, monkeypatch, MONDAY_10AM, WORKING_HOURS="08:30-16:30")
    page = pages.get("/help")
    said = " ".join(p.get_text(" ", strip=True) for p in page.select(".when-true"))
    assert "there until 16:30 today" in said and "next working day" not in said
    assert page.select_one("legend").get_text(strip=True) == (
        "Do you want someone from the council to contact you?"
    )
    sent = pages.submit(page, {"how": "phone", "phone": "07700 900123"})
    assert "try to contact you today, before 16:30" in sent.select_one(".when-true").text
    assert "as soon as they can" not in sent.text
    app.extensions["database"][0].dispose()


@pytest.mark.parametrize("moment", [MONDAY_8PM, SATURDAY_NOON], ids=["evening", "weekend"])
def test_out_of_hours_it_says_the_next_working_day_and_childline_now(make_app, monkeypatch, moment):
    pages, app = _help(make_app, monkeypatch, moment, COUNCIL_OUT_OF_HOURS_PHONE="")
    page = pages.get("/help")
    said = " ".join(p.get_text(" ", strip=True) for p in page.select(".when-true"))
    assert "closed now" in said and "next working day, after 09:00" in said
    assert "today" not in said
    assert page.select_one(".when-true a[href='tel:08001111']"), "Childline, now, one tap"
    sent = pages.submit(page, {"how": "text", "phone": "07700 900123"})
    assert "next working day, after 09:00" in sent.select_one(".when-true").text
    assert "today" not in sent.select_one(".when-true").text
    app.extensions["database"][0].dispose()


def test_out_of_hours_the_councils_own_number_is_offered_when_it_has_one(make_app, monkeypatch):
    pages, app = _help(
        make_app, monkeypatch, SATURDAY_NOON, COUNCIL_OUT_OF_HOURS_PHONE="0300 555 0199"
    )
    page = pages.get("/help")
    now = page.select(".when-true")[-1]
    assert now.select_one("a[href='tel:03005550199']") and now.select_one("a[href='tel:08001111']")
    app.extensions["database"][0].dispose()


def test_it_asks_when_it_is_safe_to_call_and_about_messages_and_staff_see_it(
    app,
    pages,
    make_staff,  # noqa: F811
):
    page = pages.get("/help?from=/chat/who")
    assert page.select_one(".contact-boxes #safe_times")
    assert page.select("input[name=message]")
    pages.submit(
        page,
        {"how": "phone", "phone": "07700 900123", "safe_times": "After 4pm", "message": "no"},
    )
    with app.app_context():
        request = db.session.scalars(select(HelpRequest)).one()
        assert (request.safe_times, request.leave_message) == ("After 4pm", False)
        help_id = request.id
    staff = sign_in(app, make_staff("officer"))
    shown = staff.get(f"/staff/help/{help_id}")
    assert "After 4pm" in shown.select_one("#safe-times").text
    assert "do not leave a message" in shown.select_one("#leave-message").text


def test_no_contact_stores_nothing_and_the_boxes_hide_for_no(app, pages):
    page = pages.get("/help")
    boxes = page.select_one(".help-form .contact-boxes")
    assert boxes.select_one("#phone") and boxes.select_one("#email")
    css = Path("portal/static/speakup.css").read_text()
    assert ".help-form:has(input[name=how][value=none]:checked) .contact-boxes" in css
    pages.submit(page, {"how": "none", "safe_times": "never", "message": "yes"})
    with app.app_context():
        assert db.session.scalars(select(HelpRequest)).first() is None


def test_a_strange_message_answer_is_a_plain_word_error(pages):
    page = pages.post(
        "/help",
        {"how": "phone", "phone": "07700 900123", "message": "maybe", **_csrf(pages)},
    )
    assert "Pick yes or no." in page.select_one(".error-summary").text


def _csrf(pages) -> dict:
    page = pages.get("/help")
    return {"csrf_token": page.select_one("input[name=csrf_token]")["value"]}


@pytest.mark.parametrize("language", ["en", "cy", "pl", "ar"])
@pytest.mark.parametrize("path", ["/", "/help", "/privacy", "/chat/who", "/s/not-a-link"])
def test_every_phone_number_dials_and_is_kept_left_to_right(client, language, path):
    response = client.get(path, headers={"Accept-Language": language}, follow_redirects=True)
    main = BeautifulSoup(response.get_data(as_text=True), "html.parser").body
    for link in main.select("a[href^='tel:']"):
        digits = re.sub(r"[^0-9]", "", link.get_text())
        assert link["href"] == "tel:" + digits
        assert link.select_one("bdi[dir=ltr]"), f"{link} is not kept left to right"
    for text in main.find_all(string=PHONE_LIKE):
        if text.find_parent(["script", "style"]):
            continue
        assert text.find_parent("a", href=re.compile("^tel:")), f"{text!r} does not dial"


def test_made_up_contact_details_are_labelled_as_examples_locally(pages):
    page = pages.get("/privacy")
    label = page.select_one(".example-label")
    assert label and label.get_text(strip=True) == "(an example, not real)"
    assert "0300 123 4567" in label.find_previous("a", href=re.compile("^tel:")).text


def test_real_contact_details_have_no_example_label(make_app):
    app = make_app(COUNCIL_COMPLAINTS_PHONE="0300 555 0100", COUNCIL_COMPLAINTS_EMAIL="a@b.gov.uk")
    page = PageClient(app.test_client()).get("/privacy")
    assert not page.select(".example-label")
    app.extensions["database"][0].dispose()


@pytest.mark.parametrize(
    ("setting", "example"),
    [
        ("COUNCIL_COMPLAINTS_PHONE", "0300 123 4567"),
        ("ADVOCACY_SERVICE_CONTACT", "0808 000 0000, advocacy@example.org"),
        ("ADVOCACY_SERVICE_CONTACT", "advocacy@example.org"),
        ("CHILDRENS_SERVICES_PHONE", "0300 123 4999"),
        ("COUNCIL_COMPLAINTS_EMAIL", "complaints@council.example"),
    ],
)
def test_production_refuses_the_made_up_examples_even_when_set(setting, example):
    problems = settings.production_problems({**PRODUCTION, setting: example})
    assert [p.split(" ")[0] for p in problems] == [setting]
    assert settings.production_problems(PRODUCTION) == []


def test_contacts_inside_the_rules_explanations_are_links_too(pages):
    """The advocacy service's contact, written into a decision's words, dials and reads
    left to right like every other number; the words around it stay escaped."""
    from tests.portal.journey import YOUNG_PERSON, answer_all

    check = answer_all(pages, {**YOUNG_PERSON, "advocate": "no"})
    decisions = check.select_one(".decision-list")
    assert decisions is not None, "the check page lists what happens next"
    assert decisions.select_one("a.tel[href='tel:08080000000'] bdi[dir=ltr]")
    assert decisions.select_one("a[href='mailto:advocacy@example.org']")
    assert "(an example, not real)" in decisions.text


def test_linked_contacts_escapes_everything_else(app):
    from portal.templating import linked_contacts

    with app.test_request_context("/"):
        made = str(linked_contacts("<b>call</b> 0800 1111 or 0800 1111."))
    assert "&lt;b&gt;call&lt;/b&gt;" in made and "<b>" not in made
    assert made.count('href="tel:08001111"') == 2
