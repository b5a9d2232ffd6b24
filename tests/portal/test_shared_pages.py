"""A question page is made once for everyone on the same step and path, and each person's own
parts (their answers, their answer box, their tokens) are filled in for them
(portal.templating.render_page). These tests prove nothing of one person reaches another, and
that a page from the store is the page that would have been made fresh."""

from __future__ import annotations

import re

import pytest
from flask import session

from portal import templating
from tests.pages import PageClient
from tests.portal.journey import PARENT, YOUNG_PERSON, step_id

pytestmark = pytest.mark.pages

TOKENS = re.compile(r'(name="csrf_token" value=|nonce=)"[^"]*"')


def _masked(page) -> str:
    return TOKENS.sub(r'\1"…"', page.response.get_data(as_text=True))


def _walk(pages: PageClient, answers: dict, words: str) -> list[str]:
    """Answer until check your answers, writing `words` as what happened; return the paths."""
    page, paths = pages.get("/chat/who"), []
    while page.path != "/chat/check":
        paths.append(page.path)
        current = step_id(page)
        answer = words if current == "what_happened" else answers[current]
        page = pages.submit(page, {"answer": answer})
    return paths


def _step_renders(app, monkeypatch) -> list[str]:
    made: list[str] = []
    get_template = app.jinja_env.get_template

    def counting(name, *args, **kwargs):
        if name == "chat/step.html":
            made.append(name)
        return get_template(name, *args, **kwargs)

    monkeypatch.setattr(app.jinja_env, "get_template", counting)
    return made


def test_two_people_on_the_same_step_each_see_only_their_own_answers_and_tokens(app, monkeypatch):
    first, second = PageClient(app.test_client()), PageClient(app.test_client())
    paths = _walk(first, YOUNG_PERSON, "Zebedee took my phone away.")
    _walk(second, YOUNG_PERSON, "Xanthe shouted at me.")
    made = _step_renders(app, monkeypatch)
    after = paths[paths.index("/chat/what_happened") + 1]
    mine = first.get(after)
    made.clear()
    theirs = second.get(after)
    assert made == [], "the second person's page should come from the store"
    assert "Zebedee" in mine.text and "Xanthe" not in mine.text
    assert "Xanthe" in theirs.text and "Zebedee" not in theirs.text
    # Each page's tokens are its own (check_page: the nonce is the CSP header's).
    _, mine_fields = mine.form_data("form.ask")
    _, their_fields = theirs.form_data("form.ask")
    assert mine_fields["csrf_token"] != their_fields["csrf_token"]
    assert mine.select_one("script")["nonce"] != theirs.select_one("script")["nonce"]
    # And each token works for its own session only.
    assert first.client.post(after, data={**their_fields, "answer": "x"}).status_code == 400
    assert second.client.post(after, data=their_fields).status_code in (200, 303)


def test_a_text_box_holds_what_this_person_wrote_before(app):
    first, second = PageClient(app.test_client()), PageClient(app.test_client())
    _walk(first, YOUNG_PERSON, "Zebedee took my phone away.")
    _walk(second, YOUNG_PERSON, "Xanthe shouted at me.")
    mine = first.get("/chat/what_happened?change=1")
    theirs = second.get("/chat/what_happened?change=1")
    assert mine.select_one("#answer").get_text() == "Zebedee took my phone away."
    assert theirs.select_one("#answer").get_text() == "Xanthe shouted at me."


@pytest.mark.parametrize("answers", [YOUNG_PERSON, PARENT], ids=["young person", "parent"])
def test_every_page_from_the_store_is_the_page_made_fresh(app, answers):
    """After someone else walked the other way (a young person, a parent: other words, other
    steps), every page of this walk, from the store, equals the page made without it."""
    other = YOUNG_PERSON if answers is PARENT else PARENT
    _walk(PageClient(app.test_client()), other, "Someone else's words.")
    pages = PageClient(app.test_client())
    for path in _walk(pages, answers, "My own words."):
        pages.get(path)  # once, so that this person's "just arrived" focus is used up
        stored = pages.get(path)
        app.jinja_env.auto_reload = True  # nothing is kept or reused while templates reload
        try:
            fresh = pages.get(path)
        finally:
            app.jinja_env.auto_reload = False
        assert _masked(stored) == _masked(fresh), path


def test_a_wrong_answer_is_shown_to_that_person_and_not_kept(app):
    pages = PageClient(app.test_client())
    page = pages.get("/chat/who")
    wrong = pages.submit(page, {"answer": "not-a-choice"})
    assert wrong.select_one(".error-summary") is not None
    again = PageClient(app.test_client()).get("/chat/who")
    assert again.select_one(".error-summary") is None
    assert "there is a problem" not in again.soup.title.get_text()


def test_a_shared_page_takes_only_plain_values(app):
    with app.test_request_context("/chat/who"):
        app.preprocess_request()
        with pytest.raises(TypeError, match="form: a shared page takes plain values"):
            templating.render_page("chat/step.html", {}, {}, form=object())


def test_a_shared_page_cannot_read_the_session_or_g(app, monkeypatch):
    for source in ("{{ session.get('draft') }}", "{{ g.public_session_id }}", "{{ request.args }}"):
        template = app.jinja_env.from_string(source)
        monkeypatch.setattr(app.jinja_env, "get_template", lambda name, t=template: t)
        with app.test_request_context("/chat/who"):
            session["draft"] = "someone's key"
            with pytest.raises(LookupError, match="a shared page read"):
                templating.render_page("shared.html", {}, {})


def test_holes_and_tokens_are_filled_escaped(app, monkeypatch):
    template = app.jinja_env.from_string(
        '<p>{{ hole("words") }}</p><i>{{ csrf_token() }}</i><b>{{ csp_nonce() }}</b>'
    )
    monkeypatch.setattr(app.jinja_env, "get_template", lambda name: template)
    with app.test_request_context("/chat/who"):
        page = templating.render_page("t.html", {"words": lambda: "<script>x</script>"}, {})
        assert "<p>&lt;script&gt;x&lt;/script&gt;</p>" in page
        assert "\x00" not in page and "hole:" not in page
        assert re.search(r"<i>[\w.-]{20,}</i><b>[\w-]{16,}</b>", page)


def test_every_plain_value_and_the_path_are_in_the_key(app, monkeypatch):
    template = app.jinja_env.from_string("{{ voice }} {{ number }} {{ request.full_path }}")
    monkeypatch.setattr(app.jinja_env, "get_template", lambda name: template)

    def page(path: str, **plain) -> str:
        with app.test_request_context(path):
            return templating.render_page("t.html", {}, {}, **plain)

    assert page("/chat/who", voice="self", number=1) == "self 1 /chat/who?"
    assert page("/chat/who", voice="helper", number=1) == "helper 1 /chat/who?"
    assert page("/chat/who", voice="helper", number=2) == "helper 2 /chat/who?"
    assert page("/chat/age?change=1", voice="helper", number=2) == "helper 2 /chat/age?change=1"
    assert page("/chat/who", voice="self", number=1) == "self 1 /chat/who?"
