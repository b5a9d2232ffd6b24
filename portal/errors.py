"""Friendly pages for every error: plain words and a way back, never a stack trace.

Two guards stop hostile input before it reaches the database, where it would be a 500:

- `DatabaseId` takes the place of Flask's `int` converter, so a number in an address that no
  id can be (0, or more than PostgreSQL's INTEGER holds) matches no route: a plain 404, and no
  query is run ("integer out of range" on PostgreSQL, OverflowError on SQLite).
- `_refuse_nul_bytes`: PostgreSQL cannot store, or even compare, text with a NUL byte. A NUL
  in the address or the query string, or in any field of a staff form, gets a plain 400.
  Public forms are not refused: what a young person types is cleaned
  (`portal.text.plain_text` drops control characters), so a stray character never costs
  them what they wrote. Nor is the staff form that logs a complaint from a call or a letter
  (`CLEANED_STAFF_FORMS`): it holds the complainant's words, cleaned the same way, and every
  other field is checked by its view, so staff keep what they typed.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, abort, render_template, request, session
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import Map
from werkzeug.routing.converters import IntegerConverter

from portal.extensions import db

# Every id column is an INTEGER, which PostgreSQL keeps in 32 bits.
MAX_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: only numbers an id can be (1 to MAX_ID unless narrowed)."""

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = 1,  # werkzeug's own argument names, as in <int(min=2)>
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        ceiling = MAX_ID if max is None or max > MAX_ID else max
        floor = -MAX_ID - 1 if min is None or min < -MAX_ID - 1 else min
        super().__init__(url_map, fixed_digits, floor, ceiling, signed)


def _has_nul(pairs: Iterable[tuple[str, str]]) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


# Staff forms whose views clean every field themselves (see the docstring above).
CLEANED_STAFF_FORMS = frozenset({"staff.new_case"})


def _refuse_nul_bytes() -> None:
    asked = request._get_current_object()  # once: each use of the proxy looks it up again
    path = asked.path
    staff_form = (
        path.startswith("/staff/")
        and asked.endpoint not in CLEANED_STAFF_FORMS
        and _has_nul(asked.form.items(multi=True))
    )
    if "\x00" in path or _has_nul(asked.args.items(multi=True)) or staff_form:
        abort(400)


def _way_back() -> str:
    """Return a safe place to go back to: the same page (fetched again), or the start."""
    path = request.path
    if request.method == "POST" and path.startswith("/chat/") and path.isprintable():
        return path
    return "/"


# Never shown back on a "try again" page: secrets, and fields the person did not type.
NOT_SHOWN_BACK = {"csrf_token", "word", "again", "version", "from", "password"}


def _typed() -> list[str]:
    """What the person typed in the form they just sent, to give back to them."""
    return [
        value
        for name, value in request.form.items(multi=True)
        if name not in NOT_SHOWN_BACK and len(value.strip()) > 2
    ]


def init_app(app: Flask) -> None:
    # Before any blueprint adds its routes: a rule takes its converter when it is added.
    app.url_map.converters["int"] = DatabaseId
    app.before_request(_refuse_nul_bytes)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        # The answers already saved stay in the draft; only this one form needs sending again.
        return render_template(
            "errors/timed_out.html", back=_way_back(), has_draft="draft" in session
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if request.path.startswith("/staff/"):
            return render_template("staff/error.html", code=code), code
        template = {
            404: "errors/not_found.html",
            413: "errors/too_big.html",
            429: "errors/too_many.html",
        }.get(code, "errors/general.html")
        return render_template(template, code=code, back=_way_back()), code

    @app.errorhandler(StaleDataError)
    def conflict(_error: StaleDataError):
        # Someone else changed the same record at the same moment (for example a staff move
        # while a child pressed a button): nothing was saved, so say so and keep their words.
        db.session.rollback()
        if request.path.startswith("/staff/"):
            return render_template("staff/error.html", code=409), 409
        back = "/progress" if request.path.startswith("/progress") else _way_back()
        return render_template("errors/try_again.html", typed=_typed(), back=back), 409

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        app.logger.exception("Unhandled error", exc_info=error.original_exception)
        return render_template("errors/general.html", code=500, back="/"), 500
