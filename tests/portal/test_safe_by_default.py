"""CSRF, security headers, exactly-once sending, and drafts that survive a restart."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal import security
from portal.extensions import db
from portal.flows import COMPLAINT
from portal.models import Complaint, Draft
from portal.services import complaints
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, answer_all


def _complaint_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Complaint))


@pytest.mark.parametrize(
    ("path", "headers"),
    [("/", {}), ("/chat/who", {}), ("/progress", {}), ("/nope", {})],
)
def test_every_page_sends_strict_headers(client, path, headers):
    response = client.get(path, headers=headers)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "geolocation=()" in response.headers["Permissions-Policy"]


def test_a_page_that_asked_to_be_kept_is_still_never_kept(app):
    """security.set_headers replaces what a view set (it adds the rest without looking)."""
    with app.test_request_context("/chat/who"):
        app.preprocess_request()  # routed: the endpoint is a page's
        response = app.response_class("x")
        response.headers["Cache-Control"] = "public, max-age=3600"
        response.headers["X-Robots-Tag"] = "all"
        security.set_headers(response)
        assert response.headers.getlist("Cache-Control") == ["no-store"]
        assert response.headers.getlist("X-Robots-Tag") == ["noindex, nofollow"]
        assert len(response.headers.getlist("Content-Security-Policy")) == 1


def test_static_files_can_be_cached_and_are_self_hosted(client, pages):
    with client.get("/static/speakup.css") as response:
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
    page = pages.get("/chat/who")
    for tag in page.select("link[href], script[src], img[src]"):
        url = tag.get("href") or tag.get("src")
        assert url.startswith("/static/"), f"{url} is not self-hosted"


def test_a_post_without_a_csrf_token_gets_a_plain_400(client, pages):
    page = pages.get("/chat/who")
    page = pages.submit(page, {"answer": "self"})
    response = client.post("/chat/age", data={"answer": "12_15"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "timed out" in text and "Your earlier answers are saved." in text
    assert 'href="/chat/age"' in text
    again = pages.get("/chat/who")
    assert again.select_one("input[value=self]").has_attr("checked"), "answers were kept"


def test_a_forged_token_is_refused_too(client, pages):
    pages.get("/chat/who")
    response = client.post("/chat/who", data={"answer": "self", "csrf_token": "forged"})
    assert response.status_code == 400


def test_pressing_send_twice_makes_one_complaint(app, client, pages):
    check = answer_all(pages, YOUNG_PERSON)
    action, fields = check.form_data("form.send-form")
    cookie = client.get_cookie("su_session", domain="speakup.test").value
    first = pages.post(action, fields)
    # The second press comes from the same page, with the cookie the first press started with.
    client.set_cookie("su_session", cookie, domain="speakup.test")
    second = pages.post(action, fields)
    assert first.select_one("#reference").text == second.select_one("#reference").text
    assert _complaint_count(app) == 1


def test_back_after_sending_does_not_reopen_the_draft(app, pages):
    check = answer_all(pages, YOUNG_PERSON)
    done = pages.submit(check, selector="form.send-form")
    assert done.path == "/chat/done"
    assert pages.get("/chat/check").path in {"/", "/chat/who"}
    assert _complaint_count(app) == 1


def test_two_tabs_sending_at_once_make_one_complaint(app, pages):
    answer_all(pages, YOUNG_PERSON)
    with app.app_context():
        key = db.session.scalars(select(Draft.key)).one()
    results, barrier = [], threading.Barrier(4)

    def send():
        with app.app_context():
            barrier.wait()
            results.append(complaints.submit_draft(key, COMPLAINT).reference)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(set(results)) == 1
    assert _complaint_count(app) == 1


def test_a_draft_survives_a_server_restart(make_app):
    first = make_app()
    pages = PageClient(first.test_client())
    page = pages.get("/chat/who")
    page = pages.submit(page, {"answer": "self"})
    page = pages.submit(page, {"answer": "care_leaver"})
    page = pages.submit(page, {"answer": "18_25"})
    cookie = pages.client.get_cookie("su_session", domain="speakup.test").value
    first.extensions["database"][0].dispose()

    restarted = make_app()
    client = restarted.test_client()
    client.set_cookie("su_session", cookie, domain="speakup.test")
    page = PageClient(client).get("/chat/who")
    assert page.select_one("input[value=self]").has_attr("checked")
    assert PageClient(client).get("/chat/contact").path == "/chat/topics"
    restarted.extensions["database"][0].dispose()


def test_sending_an_unfinished_draft_goes_back_to_the_gap(client, pages):
    page = pages.get("/chat/who")
    page = pages.submit(page, {"answer": "self"})
    action, fields = page.form_data()
    response = client.post("/chat/send", data={"csrf_token": fields["csrf_token"]})
    assert response.status_code == 303
    assert response.headers["Location"] == "/chat/self_status"


def test_abandoned_drafts_are_purged_but_recent_and_sent_ones_kept(app, make_app):
    from datetime import UTC, datetime, timedelta

    import time_machine

    long_ago = datetime.now(UTC) - timedelta(days=40)
    with time_machine.travel(long_ago, tick=False):
        old = PageClient(app.test_client())
        old.submit(old.get("/chat/who"), {"answer": "self"})
        sent = PageClient(app.test_client())
        sent.submit(answer_all(sent, YOUNG_PERSON), selector="form.send-form")
    recent = PageClient(app.test_client())
    recent.submit(recent.get("/chat/who"), {"answer": "parent_carer"})

    result = app.test_cli_runner().invoke(args=["drafts", "purge", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 unsent draft(s)" in result.output
    assert "Deleted 2 ended browser session record(s)" in result.output, "the two from 40 days ago"
    assert old.get("/chat/self_status").path == "/chat/who", "the old draft is gone"
    assert recent.get("/chat/adult_role").path == "/chat/adult_role", "recent drafts are kept"
    assert _complaint_count(app) == 1
