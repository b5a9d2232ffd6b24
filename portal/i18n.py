"""Locale choice: the language cookie, then the browser's Accept-Language, then English."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import flask_babel
from babel import Locale
from flask import Flask, Response, current_app, g, has_request_context, request

from portal import translatable
from portal.config import HOST_PREFIX, PRODUCTION

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
LANGUAGE_COOKIE = "lang"
# Each language's name in its own words, as the switch shows it.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg", "pl": "Polski", "ar": "العربية"}


def language_cookie_name(config: Mapping[str, Any] | None = None) -> str:
    """The language cookie's name: "__Host-lang" in production (Secure, this host only)."""
    if (current_app.config if config is None else config)["ENVIRONMENT"] == PRODUCTION:
        return HOST_PREFIX + LANGUAGE_COOKIE
    return LANGUAGE_COOKIE


# Each language's Locale, made once: Flask-Babel takes a Locale as it is, where it would parse
# a code afresh on every request.
_LOCALES: dict[str, Locale] = {}


# The language chosen for each Accept-Language header (browsers send a handful of them):
# parsing the header and matching it was a thirtieth of a question page.
_BEST_MATCH: dict[tuple[tuple[str, ...], str], str] = {}


def select_locale() -> Locale:
    config, asked = current_app.config, request._get_current_object()  # each looked up once
    languages = config["LANGUAGES"]
    cookies = asked.cookies
    name = language_cookie_name(config)
    # `in` first: werkzeug's get() makes (and catches) a KeyError for a cookie not sent.
    chosen = cookies.get(name) if name in cookies else None
    if chosen not in languages:
        key = (tuple(languages), asked.headers.get("Accept-Language", ""))
        chosen = _BEST_MATCH.get(key)
        if chosen is None:
            chosen = asked.accept_languages.best_match(languages) or languages[0]
            if len(_BEST_MATCH) >= 1024:
                _BEST_MATCH.clear()
            _BEST_MATCH[key] = chosen
    found = _LOCALES.get(chosen)
    if found is None:
        found = _LOCALES[chosen] = Locale.parse(chosen)
    return found


_CODES: dict[Locale, str] = {}


def locale_code() -> str:
    """The page's language as a code ("en", "cy"): `str(flask_babel.get_locale())`, without
    asking Flask-Babel again each time (a page asks four times or more). Follows
    `force_locale`, as it reads the locale Flask-Babel holds now; the first time in a
    request, chooses it as Flask-Babel would (its selector, held where it holds it) without
    looking each of `g`, the app and Flask-Babel up again."""
    try:
        here = g._get_current_object()
    except RuntimeError:  # outside a request or app context
        return str(flask_babel.get_locale() or "en")
    held = getattr(here, "_flask_babel", None)
    locale = getattr(held, "babel_locale", None)
    if locale is None:
        if not has_request_context():
            return str(flask_babel.get_locale() or "en")
        if held is None:
            held = here._flask_babel = SimpleNamespace()  # as flask_babel makes it
        locale = held.babel_locale = select_locale()
    code = _CODES.get(locale)
    if code is None:
        code = _CODES[locale] = str(locale)
    return code


def text_direction(locale: str) -> str:
    return "rtl" if locale in RTL_LANGUAGES else "ltr"


def _host_only(set_cookie: str) -> str:
    """Give a Set-Cookie value the "__Host-" prefix and the flags browsers require for it."""
    attributes = [
        part
        for part in set_cookie.split("; ")[1:]
        if part.split("=", 1)[0].lower() not in {"domain", "path", "secure"}
    ]
    first = HOST_PREFIX + set_cookie.split("; ", 1)[0]
    return "; ".join([first, *attributes, "Secure", "Path=/"])


def host_only_language_cookie(response: Response) -> Response:
    """In production, the language cookie goes out as "__Host-lang", wherever a view sets it."""
    cookies = response.headers.getlist("Set-Cookie")
    plain = LANGUAGE_COOKIE + "="
    if any(cookie.startswith(plain) for cookie in cookies):
        response.headers.remove("Set-Cookie")
        for cookie in cookies:
            response.headers.add(
                "Set-Cookie", _host_only(cookie) if cookie.startswith(plain) else cookie
            )
    return response


_CATALOGUES: dict[tuple, object] = {}


def gettext(string: str, **variables) -> str:
    """Flask-Babel's gettext, without looking the catalogue up again on every call.

    A page translates a hundred strings or more; Flask-Babel finds the locale and its catalogue
    each time (a quarter of a question page's time). Here the catalogue is found once per
    language and process, keyed by the locale Flask-Babel chose for this request, so
    `force_locale` (a message in the complainant's language) is followed exactly."""
    try:
        locale = g._flask_babel.babel_locale
    except RuntimeError:  # outside an app context
        return flask_babel.gettext(string, **variables)
    except AttributeError:
        locale = None
    if locale is None:  # not chosen yet: choose it now, once for the request
        locale = flask_babel.get_locale()
        if locale is None:
            return flask_babel.gettext(string, **variables)
    key = (locale.language, locale.territory, locale.script, locale.variant)
    catalogue = _CATALOGUES.get(key)
    if catalogue is None:
        catalogue = _CATALOGUES[key] = flask_babel.get_translations()
    found = catalogue.ugettext(string)
    return found % variables if variables else found


def init_app(app: Flask) -> None:
    # The pure modules' `_l` strings (portal/translatable.py) are translated by Flask-Babel,
    # into the language of the page being shown; templates' _() the same way.
    translatable.use_translation(gettext)
    translations = flask_babel.get_translations
    app.jinja_env.install_gettext_callables(  # as Flask-Babel installs them, with our gettext
        gettext=lambda s: gettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    if app.config["ENVIRONMENT"] == PRODUCTION:
        app.after_request(host_only_language_cookie)
