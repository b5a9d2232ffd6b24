"""Help when in danger now, leaving quickly without a trace, and the privacy notice."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, ValidationError
from wtforms.validators import Email, InputRequired, Length, Optional

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
LEAVE_MESSAGE = [
    ("yes", _l("Yes, you can leave a message")),
    ("no", _l("No, do not leave a message")),
]


class HelpForm(PublicForm):
    how = RadioField(
        _l("Do you want someone from the council to contact you?"),
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
    safe_times = FreeTextField(
        _l("When is it safe to call or text you?"),
        validators=[Length(max=200, message=_l("That is too long."))],
    )
    message = RadioField(
        _l("Can we leave a message if you do not answer?"),
        choices=[SelectChoice(value, label) for value, label in LEAVE_MESSAGE],
        validators=[Optional()],
        validate_choice=False,
    )

    def validate_message(self, field) -> None:
        if field.data not in (None, "", "yes", "no"):
            raise ValidationError(_l("Pick yes or no."))

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

    @property
    def by_phone(self) -> bool:
        return self.how.data in ("phone", "text")

    @property
    def leave_message(self) -> bool | None:
        """Yes or no for a call or text; None when not said (or not asked: email, no contact)."""
        return {"yes": True, "no": False}.get(self.message.data) if self.by_phone else None


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
                safe_times=form.safe_times.data if form.by_phone else None,
                leave_message=form.leave_message,
            )
        return render_template(
            "safety/help_sent.html",
            back=_back_to(),
            asked=form.how.data != "none",
            hours=_hours(),
        )
    return render_template("safety/help.html", form=form, back=_back_to(), hours=_hours())


def _hours() -> dict:
    """What is true about the council's team right now, for the page to promise no more."""
    now = safety.team_hours()
    return {
        "open_now": now.open_now,
        "opens": now.opens.strftime("%H:%M"),
        "closes": now.closes.strftime("%H:%M"),
    }


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
