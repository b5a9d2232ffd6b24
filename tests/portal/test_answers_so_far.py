"""The folded earlier answers and what was said last (templating.answers_so_far, said_last):
each part escaped, in order, with "Skipped" for an optional question left."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup
from flask_babel import force_locale

from portal.flows import DEFAULT_JOURNEY, JOURNEYS, engine, rules
from portal.flows.present import Exchange, summary_label
from portal.templating import answers_so_far, said_last
from portal.types import Voice
from portal.views import chat
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, answer_all

HOSTILE = "<script>alert(\"x\")</script> & 'quotes'"


def test_every_part_is_escaped_and_in_order(app):
    items = [
        Exchange(question="Who is it about?", answer=["Me", HOSTILE], said=["You can complain."]),
        Exchange(question=HOSTILE, answer=[], said=[]),
        Exchange(question="When?", answer=[date(2026, 3, 27)], said=[HOSTILE, "And more."]),
    ]
    with app.test_request_context("/"):
        html = str(answers_so_far(items))
        last = str(said_last(items))
    assert "<script>" not in html and "<script>" not in last
    soup = BeautifulSoup(html, "html.parser")
    folded = soup.select_one("details.so-far")
    assert folded.select_one("summary").get_text() == "Your answers so far"
    assert folded.select_one("ol.transcript")["aria-label"] == "Your answers so far"
    exchanges = folded.select("li.exchange")
    assert [e.select_one(".bubble-them").get_text() for e in exchanges] == [
        "Who is it about?",
        HOSTILE,
        "When?",
    ]
    assert [e.select_one(".bubble-me").get_text("|") for e in exchanges] == [
        f"Me|{HOSTILE}",
        "Skipped",
        "Friday 27 March 2026",
    ]
    assert [[p.get_text() for p in e.select(".bubble-said")] for e in exchanges] == [
        ["You can complain."],
        [],
        [HOSTILE, "And more."],
    ]
    said = BeautifulSoup(last, "html.parser").select(".said-last .bubble-said")
    assert [p.get_text() for p in said] == [HOSTILE, "And more."]


def test_nothing_to_show_is_nothing(app):
    with app.test_request_context("/"):
        assert str(answers_so_far([])) == ""
        quiet = [Exchange(question="Q", answer=["A"], said=[])]
        assert str(said_last([])) == "" == str(said_last(quiet))


def test_a_chosen_answer_is_shown_in_the_pages_language_and_with_the_councils_words(
    app, monkeypatch
):
    """A chosen answer's words are kept once made (views/chat._exchange): they still follow
    the page's language, the council's settings named in what was said back, and never keep
    what someone typed. (Nothing said back in the transcript names a setting today: here the
    advocacy answer is made to say its decision, which does.)"""
    monkeypatch.setitem(rules.SAID_AFTER, "advocate", lambda state: [rules.advocacy(state)])
    pages = PageClient(app.test_client())
    answers = {**YOUNG_PERSON, "what_happened": "Words only I typed."}
    answer_all(pages, answers)

    def transcript(client: PageClient) -> list[str]:
        page = client.get("/chat/name")  # after the advocate question
        return [li.get_text(" ", strip=True) for li in page.select("li.exchange")]

    english = transcript(pages)
    assert any("the local advocacy service" in line for line in english)
    assert any("Words only I typed." in line for line in english)
    app.config["ADVOCACY_SERVICE_NAME"] = "Brightside Advocacy"
    named = transcript(pages)
    assert any("Brightside Advocacy" in line for line in named)
    assert not any("the local advocacy service" in line for line in named)

    pages.client.set_cookie("lang", "cy", domain="speakup.test")
    welsh = transcript(pages)
    journey = JOURNEYS[DEFAULT_JOURNEY]
    with app.test_request_context("/"), force_locale("cy"):
        who = str(summary_label(journey.get("who"), Voice.SELF))
    assert welsh[0].startswith(who) and not english[0].startswith(who)
    assert any("Brightside Advocacy" in line for line in welsh)

    other = PageClient(app.test_client())  # someone else who chose the same, in English
    answer_all(other, {**answers, "what_happened": "Something else entirely."})
    theirs = transcript(other)
    assert theirs[:3] == named[:3]  # the same choices, the same words
    assert not any("Words only I typed." in line for line in theirs)
    assert any("Something else entirely." in line for line in theirs)


def test_the_answers_so_far_on_a_kept_walk_follow_language_and_settings(app, monkeypatch):
    """Choices only: the walk is kept (engine.walk) and its page parts with it
    (views/chat._so_far), by question, language and the council's settings."""
    monkeypatch.setattr(engine, "_WALKS", {})
    monkeypatch.setitem(rules.SAID_AFTER, "age", lambda state: [rules.advocacy(state)])
    pages = PageClient(app.test_client())
    page = pages.get("/chat/who")
    for value in ("self", "looked_after", "12_15"):
        page = pages.submit(page, {"answer": value})
    path = page.path

    def so_far(client: PageClient) -> list[str]:
        found = client.get(path)
        return [li.get_text(" ", strip=True) for li in found.select("li.exchange")] + [
            found.select_one(".said-last").get_text(" ", strip=True)
        ]

    english = so_far(pages)
    contact = app.config["ADVOCACY_SERVICE_CONTACT"]
    assert len(english) == 4 and contact in english[-1]
    kept = [walk for walk in engine._WALKS.values() if walk.known]
    assert kept, "a walk over choices only is kept, with what its page worked out"
    app.config["ADVOCACY_SERVICE_CONTACT"] = "0800 123 4567"
    named = so_far(pages)
    assert "0800 123 4567" in named[-1] and contact not in named[-1]
    assert named[:2] == english[:2]
    pages.client.set_cookie("lang", "cy", domain="speakup.test")
    welsh = so_far(pages)
    assert welsh[0] != english[0] and "0800 123 4567" in welsh[-1]
    pages.client.set_cookie("lang", "en", domain="speakup.test")
    assert so_far(pages) == named
    monkeypatch.setattr(engine, "_WALKS", {})  # made afresh: the same page
    assert so_far(pages) == named


def test_a_kept_walk_holds_a_few_pages_parts_at_most(app, monkeypatch):
    monkeypatch.setattr(engine, "_WALKS", {})
    monkeypatch.setattr(chat, "KNOWN_PER_WALK", 2)
    pages = PageClient(app.test_client())
    page = pages.get("/chat/who")
    for value in ("self", "looked_after", "12_15"):
        page = pages.submit(page, {"answer": value})
    seen = []
    for language in ("en", "cy", "pl", "ar", "en"):
        pages.client.set_cookie("lang", language, domain="speakup.test")
        seen.append(len(pages.get(page.path).select("li.exchange")))
        assert all(len(walk.known) <= 2 for walk in engine._WALKS.values())
    assert seen == [3] * 5
