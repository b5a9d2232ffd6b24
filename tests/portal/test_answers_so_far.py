"""The folded earlier answers and what was said last (templating.answers_so_far, said_last):
each part escaped, in order, with "Skipped" for an optional question left."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup

from portal.flows.present import Exchange
from portal.templating import answers_so_far, said_last

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
