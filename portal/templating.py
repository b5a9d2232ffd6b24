"""Helpers the templates use."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from wtforms import Field

from portal import wording
from portal.flows.model import say
from portal.i18n import LANGUAGE_NAMES, text_direction


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
    app.context_processor(_safety_help_once)
    app.jinja_env.tests["a_date"] = is_date
