"""Help when in danger now, leaving quickly without a trace, and the privacy notice."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, ValidationError
from wtforms.validators import Email, InputRequired, Length

from portal.limits import limiter, per_session
from portal.security import same_site_path
from portal.services import safety
from portal.views import visit
from portal.views.forms import UK_MOBILE, FreeTextField, PublicForm, phone_check

bp = Blueprint("safety", __name__)

HOW = [
    ("phone", _l("Phone me")),
    ("text", _l("Text me")),
    ("email", _l("Email me")),
    ("none", _l("No, I just want the help numbers")),
]


class HelpForm(PublicForm):
    how = RadioField(
        _l("Do you want someone from the council to contact you today?"),
        choices=[SelectChoice(value, label) for value, label in HOW],
        validators=[InputRequired(_l("Pick how we should contact you, or 'No'."))],
    )
    phone = FreeTextField(
        _l("Your phone number"),
        validators=[Length(max=30, message=_l("That is too long."))],
    )
    email = FreeTextField(
        _l("Your email address"),
        validators=[Length(max=254, message=_l("That is too long."))],
    )

    def validate_phone(self, field) -> None:
        if self.how.data in ("phone", "text"):
            phone_check(
                UK_MOBILE if self.how.data == "text" else None,
                _l("Write a UK phone number, like 07700 900123."),
            )(self, field)
            if not field.data:
                raise ValidationError(_l("Write the number we should use."))

    def validate_email(self, field) -> None:
        if self.how.data == "email":
            if not field.data:
                raise ValidationError(_l("Write the email address we should use."))
            Email(_l("Write an email address like name@example.com."))(self, field)

    @property
    def contact(self) -> str | None:
        """The one way back the person picked (the other box is ignored)."""
        if self.how.data in ("phone", "text"):
            return self.phone.data
        return self.email.data if self.how.data == "email" else None


def _back_to() -> str:
    """Return the same-site page the person came from, or the start."""
    return same_site_path(request.values.get("from"))


# Enough for a frightened person pressing again and again; not enough to flood the duty team
# from one address (repeats from one browser are folded into one alert anyway).
HELP_LIMITS = "5 per minute;30 per hour"


@bp.route("/help", methods=["GET", "POST"])
@limiter.limit(HELP_LIMITS, methods=["POST"])
@limiter.limit(HELP_LIMITS, methods=["POST"], key_func=per_session)
def help_now():
    """'I don't feel safe': help at once, and urgent contact if wanted. Nothing is lost."""
    form = HelpForm()
    if form.validate_on_submit():
        if form.how.data != "none":
            access = visit.current_access()
            safety.request_help(
                session.get("draft"),
                access.complaint,
                form.how.data,
                form.contact,
                session_id=visit.session_id(),
            )
        return render_template(
            "safety/help_sent.html", back=_back_to(), asked=form.how.data != "none"
        )
    return render_template("safety/help.html", form=form, back=_back_to())


@bp.get("/exit")
def leave():
    """Leave quickly: end the session on the server, clear what the browser kept, go."""
    visit.end_session()
    response = redirect(current_app.config["EXIT_URL"], code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response.delete_cookie(current_app.config["SESSION_COOKIE_NAME"])
    return response


@bp.get("/privacy")
def privacy():
    return render_template("safety/privacy.html")
