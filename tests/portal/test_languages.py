"""Four languages: complete catalogues, the right lang and dir, and a safe language switch."""

from __future__ import annotations

import re
from pathlib import Path

import flask_babel
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from portal import i18n
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, send_complaint

pytestmark = pytest.mark.pages

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "portal" / "translations"
LANGUAGES = {"cy": "ltr", "pl": "ltr", "ar": "rtl"}
PLACEHOLDER = re.compile(r"%\(\w+\)s")
# As `make translations` extracts them: `_l` (portal/translatable.py, and Flask-Babel's in the
# views) and `said` (the public wording of the stage moves, portal/stages.py).
KEYWORDS = {"_": None, "gettext": None, "_l": None, "said": None, "ngettext": (1, 2)}


def _public_strings() -> set[str]:
    """Every translatable string in the public code and templates, read from the source now."""
    method_map = [
        ("portal/**.py", "python"),
        ("portal/templates/**.html", "jinja2"),
        ("portal/templates/**.txt", "jinja2"),
    ]
    keywords = KEYWORDS
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def public_strings() -> set[str]:
    strings = _public_strings()
    assert len(strings) > 400, "extraction found too little: is babel.cfg still right?"
    return strings


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_public_string_is_translated_and_none_is_fuzzy(language, public_strings):
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale=language)
    entries = {m.id: m for m in catalogue if m.id}
    missing = sorted(public_strings - set(entries))
    assert not missing, f"{language}: not in the catalogue (run make translations): {missing[:5]}"
    for text in public_strings:
        entry = entries[text]
        assert entry.string, f"{language}: no translation for {text!r}"
        assert "fuzzy" not in entry.flags, f"{language}: fuzzy translation for {text!r}"
        assert sorted(PLACEHOLDER.findall(entry.string)) == sorted(PLACEHOLDER.findall(text)), (
            f"{language}: the placeholders differ in {text!r}"
        )


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_catalogue_headers_say_whether_a_professional_has_reviewed_them(language):
    header = (CATALOGUES / language / "LC_MESSAGES" / "messages.po").read_text("utf-8")[:1500]
    # Babel keeps the header comment and Language-Team through `make translations`.
    assert re.search(r"^# REVIEW STATUS: (DRAFT|REVIEWED)", header, re.MULTILINE)
    assert re.search(r'"Language-Team: [^"]*(needs professional review|reviewed by)', header)


PUBLIC_PAGES = ["/", "/chat/who", "/help", "/privacy", "/progress", "/nowhere"]


@pytest.mark.parametrize(("language", "direction"), sorted(LANGUAGES.items()))
def test_pages_come_back_in_the_language_asked_for(client, language, direction):
    pages = PageClient(client)
    english = {
        path: pages.get(path, expect=404 if path == "/nowhere" else 200) for path in PUBLIC_PAGES
    }
    for path in PUBLIC_PAGES:
        page = pages.get(
            path,
            expect=404 if path == "/nowhere" else 200,
            headers={"Accept-Language": f"{language},en;q=0.5"},
        )
        html = page.select_one("html")
        assert (html["lang"], html["dir"]) == (language, direction), path
        assert page.h1 != english[path].h1, f"{path} is still in English in {language}"


def test_the_whole_journey_works_in_welsh_and_the_confirmation_is_welsh(app):
    person = PageClient(app.test_client())
    person.client.set_cookie("lang", "cy", domain="speakup.test")
    done = send_complaint(person, YOUNG_PERSON, check_each_page=True)
    assert done.select_one("html")["lang"] == "cy"
    assert "Diolch" in done.h1
    assert re.search(r"(Llun|Mawrth|Mercher|Iau|Gwener|Sadwrn|Sul)", done.text), "Welsh dates"


def test_the_switch_remembers_the_language_and_only_goes_back_to_this_site(client):
    pages = PageClient(client)
    home = pages.get("/")
    links = {a["hreflang"]: a for a in home.select("nav.languages a[hreflang]")}
    assert set(links) == {"cy", "pl", "ar"}, "every other language is offered"
    assert links["ar"]["lang"] == "ar" and links["ar"].text == "العربية"
    response = client.get("/language/ar?next=/chat/who")
    assert response.status_code == 303 and response.location == "/chat/who"
    cookie = response.headers["Set-Cookie"]
    assert "lang=ar" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = pages.get("/chat/who")
    assert page.select_one("html")["dir"] == "rtl"
    assert page.select_one(".language-current").text == "العربية"
    for sneaky in ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil"]:
        assert client.get("/language/cy", query_string={"next": sneaky}).location == "/"
    client.get("/language/xx?next=/")
    assert pages.get("/").select_one("html")["lang"] == "cy", "an unknown language changes nothing"


def test_unknown_languages_fall_back_to_english(client):
    page = PageClient(client).get("/", headers={"Accept-Language": "de, fr;q=0.8"})
    assert page.select_one("html")["lang"] == "en"


def test_read_aloud_is_offered_in_the_page_language_and_hidden_without_javascript(client):
    page = PageClient(client).get("/chat/who", headers={"Accept-Language": "pl"})
    button = page.select_one("button.read-aloud")
    assert button.has_attr("hidden"), "shown by the script only where the browser can speak"
    assert button.text == "Przeczytaj mi to" and button["data-stop"] == "Przestań czytać"


def _translation(language: str, english: str) -> str:
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)[english].string


def test_babel_cfg_finds_the_pure_modules_lazy_strings():
    """`pybabel extract -F babel.cfg -k _l` sees `_l` from portal/translatable.py."""
    config = (ROOT / "babel.cfg").read_text()
    method_map = [
        (pattern, method)
        for method, pattern in re.findall(r"^\[(\w+): ([^\]]+)\]", config, re.MULTILINE)
    ]
    assert ("portal/**.py", "python") in method_map
    found = {
        (path, message)
        for path, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=KEYWORDS
        )
    }
    for path, message in [
        ("portal/flows/complaint.py", "Who are you?"),
        ("portal/flows/complaint.py", "How did you try to find out what they think?"),
        (
            "portal/flows/rules.py",
            "You can complain. Foster carers can, including carers from an agency.",
        ),
    ]:
        assert (path, message) in found, message


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_pure_modules_words_are_translated_on_every_page_and_never_stuck(client, language):
    """A step's `_l` words come back in the page's language, and in English again after."""
    pages = PageClient(client)
    answers = {"who": "parent_carer", "adult_role": "foster_carer"}
    english = "Is this about a child you look after, or about you?"
    page = pages.get("/chat/who")
    for step in ("who", "adult_role"):
        page = pages.submit(page, {"answer": answers[step]})
    assert page.h1 == english
    translated = pages.get(page.path, headers={"Accept-Language": language})
    assert translated.h1 == _translation(language, english)
    choices = [label.text.strip() for label in translated.select(".choice-text")]
    assert any(_translation(language, "Me, as a carer") in text for text in choices)
    assert pages.get(page.path).h1 == english, "the English comes back: nothing is cached"


@pytest.mark.parametrize(
    "cookie, accept",
    [
        (None, None),
        ("cy", None),
        (None, "pl-PL,pl;q=0.9,en;q=0.5"),
        ("ar", "pl"),
        ("xx", "ar;q=0.8, cy"),
        (None, "fr, de;q=0.9"),
    ],
)
def test_the_language_code_is_the_one_flask_babel_chooses(app, cookie, accept):
    """i18n.locale_code chooses the language itself the first time in a request: as
    Flask-Babel does, held where Flask-Babel holds it, and following force_locale."""
    headers = {"Accept-Language": accept} if accept else {}
    if cookie:
        headers["Cookie"] = f"lang={cookie}"
    with app.test_request_context("/chat/who", headers=headers):
        expected = str(flask_babel.get_locale())
    with app.test_request_context("/chat/who", headers=headers):
        assert i18n.locale_code() == expected
        assert flask_babel.get_locale() is i18n.select_locale(), "the same choice, held once"
        assert i18n.gettext("Skipped") == flask_babel.gettext("Skipped")
        with flask_babel.force_locale("cy"):
            assert i18n.locale_code() == "cy"
        assert i18n.locale_code() == expected
