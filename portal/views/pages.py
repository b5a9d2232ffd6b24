"""The welcome page."""

from flask import Blueprint, current_app, redirect, render_template, request

from portal.i18n import LANGUAGE_COOKIE
from portal.security import same_site_path

bp = Blueprint("pages", __name__)
YEAR = 365 * 24 * 3600


@bp.get("/")
def home():
    return render_template("pages/home.html")


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
