"""Bad input of any kind gets a clear answer or is stored safely; it never causes a 500."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Complaint
from tests.portal.journey import YOUNG_PERSON, send_complaint

pytestmark = pytest.mark.pages

HOSTILE = [
    pytest.param(
        "<script>alert(1)</script>Visits cancelled", "alert(1)Visits cancelled", id="markup"
    ),
    pytest.param(
        "Robert'); DROP TABLE complaint;--", "Robert'); DROP TABLE complaint;--", id="sql_like"
    ),
    pytest.param("I feel 😢😢 about it", "I feel 😢😢 about it", id="emoji"),
    pytest.param("الأخصائي الاجتماعي ألغى الزيارة", "الأخصائي الاجتماعي ألغى الزيارة", id="rtl"),
    pytest.param("null\x00byte\x07 and a < b & c", "nullbyte and a < b & c", id="control_chars"),
    pytest.param("&lt;b&gt; typed as text", "&lt;b&gt; typed as text", id="escaped_text"),
]


@pytest.mark.parametrize(("typed", "stored"), HOSTILE)
def test_free_text_is_stored_as_plain_text(app, pages, typed, stored):
    page = send_complaint(pages, {**YOUNG_PERSON, "what_happened": typed})
    reference = page.select_one("#reference").get_text(strip=True)
    with app.app_context():
        complaint = db.session.query(Complaint).filter_by(reference=reference).one()
        assert complaint.answers["what_happened"] == stored


def _get_to(pages, step: str):
    page = pages.get("/chat/who")
    while not page.path.endswith("/" + step):
        page = pages.submit(page, {"answer": YOUNG_PERSON[page.path.rsplit("/", 1)[1]]})
    return page


@pytest.mark.parametrize(
    ("step", "answer", "message"),
    [
        pytest.param("who", None, "Pick who you are.", id="nothing_picked"),
        pytest.param("who", "admin", "Pick who you are.", id="made_up_choice"),
        pytest.param("topics", ["home", "made-up"], "Pick at least one thing.", id="made_up_multi"),
        pytest.param("what_happened", "   ", "Tell us what happened.", id="only_spaces"),
        pytest.param("what_happened", "<b></b>", "Tell us what happened.", id="only_markup"),
        pytest.param("what_happened", "x" * 5001, "shorter than 5000 letters", id="too_long"),
    ],
)
def test_invalid_answers_get_a_plain_message(pages, step, answer, message):
    page = _get_to(pages, step)
    data = {} if answer is None else {"answer": answer}
    page = pages.submit(page, data)
    assert page.path.endswith("/" + step)
    assert message in page.select_one(".error-summary").text
    assert message in page.select_one("#answer-error").text
    assert page.soup.title.text.startswith(page.h1 + " – there is a problem")


def test_too_long_text_is_kept_in_the_box(pages):
    page = _get_to(pages, "what_happened")
    page = pages.submit(page, {"answer": "y" * 5001})
    assert page.select_one("textarea").text.strip() == "y" * 5001


@pytest.mark.parametrize(
    ("contact", "step", "bad", "good", "message"),
    [
        pytest.param(
            "email",
            "email",
            "not-an-email",
            "jess@example.com",
            "like name@example.com",
            id="email",
        ),
        pytest.param("text", "phone", "12345", "07700 900123", "UK mobile number", id="phone"),
    ],
)
def test_contact_details_are_checked(pages, contact, step, bad, good, message):
    answers = {**YOUNG_PERSON, "contact": contact}
    page = _get_to(pages, "contact")
    page = pages.submit(page, {"answer": contact})
    assert page.path.endswith("/" + step)
    page = pages.submit(page, {"answer": bad})
    assert message in page.select_one(".error-summary").text
    page = pages.submit(page, {"answer": good})
    assert page.path.endswith("/contact_safe")
    assert answers


def test_a_huge_body_gets_a_friendly_page(client):
    response = client.post("/chat/who", data={"answer": "x" * 200_000})
    assert response.status_code == 413
    assert "too long" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/chat/send", "/progress/new-link"])
def test_wrong_method_is_not_a_server_error(client, path):
    response = client.get(path)
    assert response.status_code in (404, 405)
    assert "Sorry" in response.get_data(as_text=True) or "cannot find" in response.get_data(
        as_text=True
    )


def test_tampered_session_cookie_starts_afresh(client, pages):
    client.set_cookie("su_session", "garbage.value.here", domain="speakup.test")
    page = pages.get("/chat/contact")
    assert page.path == "/chat/who"
