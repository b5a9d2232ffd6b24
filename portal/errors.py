"""Friendly pages for every error: plain words and a way back, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template, request, session
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


def _way_back() -> str:
    """Return a safe place to go back to: the same page (fetched again), or the start."""
    if request.method == "POST" and request.path.startswith("/chat/"):
        return request.path
    return "/"


def init_app(app: Flask) -> None:
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

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        app.logger.exception("Unhandled error", exc_info=error.original_exception)
        return render_template("errors/general.html", code=500, back="/"), 500
