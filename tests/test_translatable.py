"""Words marked with `_l` are translated when shown (portal/translatable.py): on a page, escaped
like any text, and translated once each time, not once for every question asked of them."""

from __future__ import annotations

from jinja2 import Environment
from markupsafe import Markup, escape

from portal import translatable
from portal.translatable import _l


def test_lazy_words_are_escaped_for_a_page_and_translated_once(monkeypatch):
    asked: list[str] = []

    def translate(text: str) -> str:
        asked.append(text)
        return text.replace("Hello", "Helo")

    monkeypatch.setattr(translatable, "_translate", translate)
    words = _l("Hello <b>friend</b> & co")
    assert escape(words) == Markup("Helo &lt;b&gt;friend&lt;/b&gt; &amp; co")
    assert len(asked) == 1
    asked.clear()
    page = Environment(autoescape=True).from_string("<p>{{ words }}</p>").render(words=words)
    assert page == "<p>Helo &lt;b&gt;friend&lt;/b&gt; &amp; co</p>"
    assert len(asked) == 1
    assert Markup("<li>{}</li>").format(words) == Markup(
        "<li>Helo &lt;b&gt;friend&lt;/b&gt; &amp; co</li>"
    )
    assert str(words) == "Helo <b>friend</b> & co"  # as text (a message, a log) it is plain
