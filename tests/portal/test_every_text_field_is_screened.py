"""Every word a complainant types passes the one boundary: cleaned, then screened for harm.

Two checks: every text field of every public form is a screened field (so a new form cannot
forget), and, over HTTP, a worrying sentence typed into any text box of any public form that
can be reached is noticed: help is shown, and the draft or complaint behind it is flagged.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, StringField

import portal.views
from portal.extensions import db
from portal.flows import JOURNEYS
from portal.models import Complaint, Draft
from portal.views.forms import SCREENED_FIELDS, PublicForm, form_for
from tests.pages import Page, PageClient
from tests.portal.journey import YOUNG_PERSON, send_complaint
from tests.staff.conftest import load, respond_at_stage_one

WORRYING = "my foster carer hits me"
CALM = "It was fine"
TEXT_INPUTS = (
    "textarea, input[type=text], input[type=password], input[type=tel], input[type=email],"
    " input:not([type])"
)

pytestmark = pytest.mark.pages


def _public_form_classes() -> list[type[FlaskForm]]:
    found = []
    for module_info in pkgutil.iter_modules(portal.views.__path__):
        module = importlib.import_module(f"portal.views.{module_info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, FlaskForm) and value.__module__ == module.__name__:
                found.append(value)
    return found


def test_every_public_form_is_a_screening_form(app):
    classes = _public_form_classes()
    assert len(classes) >= 8, "the public forms were not found"
    with app.test_request_context("/", method="POST"):
        for form_class in classes:
            assert issubclass(form_class, PublicForm), form_class
            for field in form_class():
                if isinstance(field, StringField) and not isinstance(field, HiddenField):
                    assert isinstance(field, SCREENED_FIELDS), f"{form_class.__name__}.{field.name}"


def test_every_text_step_of_every_journey_is_screened(app):
    checked = 0
    with app.test_request_context("/", method="POST"):
        for journey in JOURNEYS.values():
            state = journey.state({})
            for step in journey.steps:
                field = form_for(step, state).answer
                if isinstance(field, StringField):
                    assert isinstance(field, SCREENED_FIELDS), step.id
                    checked += 1
    assert checked >= 5


def _text_fields(page: Page, selector: str) -> list[str]:
    form = page.select_one(selector)
    return [f["name"] for f in form.select(TEXT_INPUTS) if f.get("name")]


def _post_with(person: PageClient, page: Page, selector: str, worrying_in: str) -> Page:
    """Fill the form like a person would, with the worrying words in one text box."""
    action, fields = page.form_data(selector)
    form = page.select_one(selector)
    for choice in form.select("input[type=radio]"):
        fields.setdefault(choice["name"], choice["value"])
    for name in _text_fields(page, selector):
        fields[name] = WORRYING if name == worrying_in else CALM
    response = person.client.post(action, data=fields, follow_redirects=True)
    assert response.status_code < 500
    return Page(response, None)


def _noticed(response_page: Page, person: PageClient) -> bool:
    if b'id="safety-help"' in response_page.response.data:
        return True
    return person.get("/privacy").select_one("#safety-help") is not None


def _complainant_with_a_reply(app, manager) -> tuple[PageClient, str]:
    person = PageClient(app.test_client())
    done = send_complaint(person, YOUNG_PERSON)
    reference = done.select_one("#reference").text.strip()
    respond_at_stage_one(app, manager, reference)
    return person, reference


def _flagged(app, reference: str) -> list[str]:
    with app.app_context():
        complaint = db.session.scalars(
            select(Complaint).where(Complaint.reference == reference)
        ).one()
        return list(complaint.urgent_reasons or [])


def _reset_flags(app, reference: str) -> None:
    with app.app_context():
        complaint = db.session.scalars(
            select(Complaint).where(Complaint.reference == reference)
        ).one()
        complaint.urgent, complaint.urgent_reasons = False, []
        db.session.commit()


STATUS_FORMS = [
    ("/progress", "form[action='/progress/still-not-happy']"),
    ("/progress/withdraw", "main form"),
    ("/help", "main form"),
    ("/progress/word/help", "main form"),
    ("/progress", "#secret-word form"),  # last: it sets a word
]


def test_every_text_box_on_the_status_pages_is_screened(app, manager):
    person, reference = _complainant_with_a_reply(app, manager)
    checked = 0
    for path, selector in STATUS_FORMS:
        page = person.get(path)
        names = _text_fields(page, selector)
        assert names, f"no text box found in {selector} on {path}"
        for name in names:
            _reset_flags(app, reference)
            answer = _post_with(person, person.get(path), selector, name)
            assert _noticed(answer, person), f"{path} {name}: no help shown"
            if path != "/help":  # the help form's box takes only a phone number or email
                assert "harm_from_others" in _flagged(app, reference), f"{path} {name}"
            checked += 1
    assert checked >= 6


def test_every_text_step_flags_the_draft(app):
    person = PageClient(app.test_client())
    page = person.get("/chat/who")
    checked = 0
    for _ in range(40):
        if page.path == "/chat/check":
            break
        step = page.path.rsplit("/", 1)[1]
        names = _text_fields(page, "form.ask")
        if names:
            with app.app_context():
                db.session.execute(Draft.__table__.update().values(urgent_reasons=[]))
                db.session.commit()
            answer = _post_with(person, page, "form.ask", names[0])
            with app.app_context():
                reasons = db.session.scalars(select(Draft.urgent_reasons)).one()
            if answer.response.status_code == 200 and answer.response.request.path != page.path:
                assert "harm_from_others" in reasons, step
                checked += 1
            else:  # a box for a phone number or email: refused, and still noticed
                assert "harm_from_others" in reasons or step in {"email", "phone"}, step
        page = person.submit(person.get(page.path), {"answer": YOUNG_PERSON[step]})
    assert checked >= 2


@pytest.mark.parametrize("typed", ["<b>my foster carer</b> hits me", "MY FOSTER CARER HITS ME"])
def test_markup_and_capitals_do_not_hide_words(app, manager, typed):
    person, reference = _complainant_with_a_reply(app, manager)
    page = person.get("/progress/withdraw")
    action, fields = page.form_data("main form")
    person.client.post(action, data={**fields, "reason": typed})
    assert "harm_from_others" in _flagged(app, reference)
    stored = load(app, reference).events[-1].note or ""
    assert "<b>" not in stored
