"""The welcome page."""

from functools import cache

from flask import Blueprint, current_app, redirect, request

from portal.flows import DEFAULT_JOURNEY, JOURNEYS, engine
from portal.i18n import LANGUAGE_COOKIE
from portal.security import same_site_path
from portal.templating import current_locale, render_page

bp = Blueprint("pages", __name__)
YEAR = 365 * 24 * 3600


# The home page speaks to a young person telling us about themselves: its promise of time is
# for their questions, in the page's language.
YOUNG_PERSON = {"who": "self"}


def minutes_for_a_young_person() -> int:
    """Return the minutes a young person's questions take to read and answer, in this language."""
    return _minutes_in(current_locale())


@cache
def _minutes_in(locale: str) -> int:
    """The questions and their wording are fixed while the service runs; only the language
    changes the count, so it is worked out once per language (it was half the home page's time)."""
    walk = engine.walk(JOURNEYS[DEFAULT_JOURNEY], YOUNG_PERSON)
    return engine.minutes_for(walk.steps, walk.state.voice, walk.state)


@bp.get("/")
def home():
    # The same for everyone in a language: made once, with this request's tokens filled in.
    return render_page(
        "pages/home.html", holes={}, declared={}, minutes=minutes_for_a_young_person()
    )


@bp.get("/language/<code>")
def language(code: str):
    """Remember the chosen language (a strictly necessary cookie) and go back to the page."""
    response = redirect(same_site_path(request.args.get("next")), code=303)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            max_age=YEAR,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
