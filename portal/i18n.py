"""Locale choice: the language cookie, then the browser's Accept-Language, then English."""

from __future__ import annotations

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
