"""Locale choice: the language cookie, then the browser's Accept-Language, then English."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
LANGUAGE_COOKIE = "lang"
# Each language's name in its own words, as the switch shows it.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg", "pl": "Polski", "ar": "العربية"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def text_direction(locale: str) -> str:
    return "rtl" if locale in RTL_LANGUAGES else "ltr"


def same_site_path(target: str | None) -> str:
    """Return `target` if it is a path on this site, else the start page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target
