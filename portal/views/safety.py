"""Help when in danger now, leaving quickly without a trace, and the privacy notice."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, ValidationError
from wtforms.validators import Email, InputRequired, Length

from portal.security import same_site_path
from portal.services import safety
from portal.services.status_links import check as check_status_access
from portal.text import plain_text
from portal.views.forms import UK_MOBILE, phone_check

bp = Blueprint("safety", __name__)

HOW = [
    ("phone", _l("Phone me")),
    ("text", _l("Text me")),
    ("email", _l("Email me")),
    ("none", _l("No, I just want the help numbers")),
]


class HelpForm(FlaskForm):
    how = RadioField(
        _l("Do you want someone from the council to contact you today?"),
        choices=[SelectChoice(value, label) for value, label in HOW],
        validators=[InputRequired(_l("Pick how we should contact you, or 'No'."))],
    )
    contact = StringField(
        _l("Your phone number or email address"),
        filters=[plain_text],
        validators=[Length(max=254, message=_l("That is too long."))],
    )

    def validate_contact(self, field) -> None:
        if self.how.data in ("phone", "text"):
            phone_check(
                UK_MOBILE if self.how.data == "text" else None,
                _l("Write a UK phone number, like 07700 900123."),
            )(self, field)
            if not field.data:
                raise ValidationError(_l("Write the number we should use."))
        elif self.how.data == "email":
            if not field.data:
                raise ValidationError(_l("Write the email address we should use."))
            Email(_l("Write an email address like name@example.com."))(self, field)


def _back_to() -> str:
    """Return the same-site page the person came from, or the start."""
    return same_site_path(request.values.get("from"))


def _complaint_in_session():
    held = session.get("status")
    if not isinstance(held, dict):
        return None
    return check_status_access(held.get("c"), held.get("v")).complaint


@bp.route("/help", methods=["GET", "POST"])
def help_now():
    """'I don't feel safe': help at once, and urgent contact if wanted. Nothing is lost."""
    form = HelpForm()
    if form.validate_on_submit():
        if form.how.data != "none":
            safety.request_help(
                session.get("draft"), _complaint_in_session(), form.how.data, form.contact.data
            )
        return render_template(
            "safety/help_sent.html", back=_back_to(), asked=form.how.data != "none"
        )
    return render_template("safety/help.html", form=form, back=_back_to())


@bp.get("/exit")
def leave():
    """Leave quickly: end the session, clear what the browser kept, go somewhere neutral."""
    session.clear()
    response = redirect(current_app.config["EXIT_URL"], code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response.delete_cookie(current_app.config["SESSION_COOKIE_NAME"])
    return response


@bp.get("/privacy")
def privacy():
    return render_template("safety/privacy.html")
