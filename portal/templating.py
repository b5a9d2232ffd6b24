"""Helpers the templates use."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from markupsafe import Markup, escape
from wtforms import Field

from portal import wording
from portal.flows.model import say
from portal.i18n import LANGUAGE_NAMES, gettext, text_direction

# The settings that hold numbers or addresses people are told to use, and the fixed ones.
CONTACT_SETTINGS = (
    "COUNCIL_COMPLAINTS_PHONE",
    "COUNCIL_COMPLAINTS_EMAIL",
    "COUNCIL_OUT_OF_HOURS_PHONE",
    "CHILDRENS_SERVICES_PHONE",
    "ADVOCACY_SERVICE_CONTACT",
    "OMBUDSMAN_PHONE",
)
FIXED_NUMBERS = ("0800 1111",)  # Childline


def long_date(value: date) -> str:
    """Write a date the way people say it: Wednesday 7 January 2026."""
    return format_date(value, "EEEE d MMMM y")


def long_time(value: datetime) -> str:
    """Write a moment the way people say it, in UK time: Wednesday 7 January, 16:30."""
    return format_datetime(value, "EEEE d MMMM, HH:mm")


def iso_date(value: str | date | None) -> date | None:
    """Read a date stored as text in an event's data."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def first_input_id(field: Field) -> str:
    """Return the id of the first input of a field, for the error summary's link."""
    if field.type in ("ChoiceField", "MultiCheckboxField"):
        return f"{field.id}-0"
    return field.id


def _safety_help_once() -> dict[str, bool]:
    """Show the gentle safety help on the one page that follows a worrying answer."""
    if not has_request_context() or request.endpoint == "static":
        return {}
    shown = session.pop("safety_help", False)
    return {"show_safety_help": shown if shown in ("adult", "child") else bool(shown)}


def current_locale() -> str:
    return str(get_locale() or "en")


def is_date(value: Any) -> bool:
    return isinstance(value, date)


def _contact_parts() -> list[str]:
    parts = set(FIXED_NUMBERS)
    for name in CONTACT_SETTINGS:
        parts.update(p.strip() for p in str(current_app.config.get(name) or "").split(","))
    return sorted((p for p in parts if len(p) >= 4), key=len, reverse=True)


def _linked(part: str) -> Markup:
    shown = Markup('<bdi dir="ltr">{}</bdi>').format(part)
    digits = part.replace(" ", "").replace("-", "")
    if "@" in part and " " not in part:
        link = Markup('<a href="mailto:{}">{}</a>').format(part, shown)
    elif digits.lstrip("+").isdigit():
        link = Markup('<a class="tel" href="tel:{}">{}</a>').format(digits, shown)
    else:
        link = shown
    if part in current_app.config.get("EXAMPLE_CONTACTS", ()):
        label = gettext("(an example, not real)")
        link += Markup(' <span class="example-label">{}</span>').format(label)
    return link


def linked_contacts(text: Any) -> Markup:
    """Plain words (a rule's explanation, say) with every phone number and address from the
    settings turned into a tel: or mailto: link, kept left to right. Everything else is
    escaped, so nothing typed can become markup."""
    words = str(text)
    parts = _contact_parts()
    if not parts:
        return escape(words)
    pattern = re.compile("|".join(re.escape(p) for p in parts))
    pieces, at = [], 0
    for found in pattern.finditer(words):
        pieces += [escape(words[at : found.start()]), _linked(found.group(0))]
        at = found.end()
    pieces.append(escape(words[at:]))
    return Markup("").join(pieces)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        say=say,
        first_input_id=first_input_id,
        text_direction=text_direction,
        current_locale=current_locale,
        language_names=LANGUAGE_NAMES,
        setting=wording.setting,
    )
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["iso_date"] = iso_date
    app.jinja_env.filters["long_time"] = long_time
    app.jinja_env.filters["linked_contacts"] = linked_contacts
    app.context_processor(_safety_help_once)
    app.jinja_env.tests["a_date"] = is_date
