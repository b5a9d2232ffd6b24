"""The private status page, reached only through a signed link (and a secret word, if set).

Every view here finds its complaint through `visit.current_access()`, the one check of link
version, expiry and secret word. Opening a link is two steps, as in GOV.UK Notify: the GET
shows a Continue button and only the POST turns the token into a session, so an email or
chat app that fetches links in advance cannot open the complaint or start a session.

The status and confirmation pages show the session's own short link to keep (with Copy and
Share where the browser can, and "Send me my link", rate-limited like the lost-link page), and
once the council has answered, its answer point by point before "Still not happy?".
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, ValidationError
from wtforms.validators import EqualTo, Length, Optional

from portal.contact import mask
from portal.flows import DEFAULT_JOURNEY, JOURNEYS
from portal.flows.present import topic_label
from portal.limits import limiter, per_session
from portal.links import public_url
from portal.services import casework, complaints, status_links
from portal.services.messages import page_language
from portal.services.status_links import WORD_MAX, WORD_MIN, Access, LinkProblem, WordResult
from portal.types import Outcome, Remedy, Voice
from portal.views import visit
from portal.views.forms import (
    ContactField,
    FreeTextAreaField,
    PublicForm,
    SecretWordField,
)

bp = Blueprint("status", __name__)

WORD_LENGTH = _l("Use %(min)s to %(max)s letters or numbers.", min=WORD_MIN, max=WORD_MAX)


class ContinueForm(PublicForm):
    """Only the CSRF token: pressing Continue is what opens the link."""


class AskWordForm(PublicForm):
    """Asks for the secret word when the complaint has one (wrong answers are counted)."""

    word = SecretWordField(_l("Your secret word"), validators=[Length(max=WORD_MAX)])

    def __init__(self, *args: Any, complaint: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.paused_until = None

    def validate_word(self, field) -> None:
        if self.complaint is None or not self.complaint.secret_word_hash:
            return
        checked = status_links.try_word(self.complaint, field.data or "")
        if checked.result == WordResult.PAUSED:
            self.paused_until = checked.paused_until
            raise ValidationError(_l("The secret word is paused for now."))
        if checked.result == WordResult.WRONG:
            raise ValidationError(
                _l(
                    "That is not your secret word. You can try %(n)s more times.",
                    n=checked.tries_left,
                )
            )


class SetWordForm(PublicForm):
    word = SecretWordField(
        _l("Choose a secret word"),
        validators=[Length(min=WORD_MIN, max=WORD_MAX, message=WORD_LENGTH)],
    )
    again = SecretWordField(
        _l("Type it again"),
        validators=[EqualTo("word", message=_l("The two words are not the same. Try again."))],
    )


class NewLinkForm(AskWordForm):
    pass


class WithdrawForm(AskWordForm):
    reason = FreeTextAreaField(
        _l("Do you want to tell us why? (You can leave this empty.)"),
        validators=[Optional(), Length(max=2000, message=_l("That is too long."))],
    )


class StillNotHappyForm(PublicForm):
    words = FreeTextAreaField(
        _l("What are you still not happy about? (You can leave this empty.)"),
        validators=[Optional(), Length(max=5000, message=_l("That is too long."))],
    )


class SendLinkForm(PublicForm):
    """ "Send me my link": to the address given with the complaint, or one typed now (used for
    this message only, never saved)."""

    to = RadioField(
        _l("Where should we send it?"),
        choices=[],
        validate_choice=False,
    )
    contact = ContactField(
        _l("Email address or mobile number"),
        validators=[Optional()],
        # The email keyboard (digits are one key away), and the address book's email first.
        render_kw={"type": "email"},
        invalid_message=_l(
            "Write an email address like name@example.com. Or a mobile number like 07700 900123."
        ),
    )
    back = HiddenField()

    def __init__(self, *args: Any, given: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.given = given  # the address given with the complaint, masked, when there is one
        self.to.choices = [
            SelectChoice("given", _l("To %(address)s", address=given or "")),
            SelectChoice("other", _l("To another email address or mobile number")),
        ]

    def validate_to(self, field) -> None:
        if self.given is None:
            field.data = "other"
        elif field.data not in ("given", "other"):
            raise ValidationError(_l("Choose where to send your link."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.to.data == "other" and not (self.contact.data or "").strip():
            self.contact.errors = [
                *self.contact.errors,
                _l("Write an email address or mobile number."),
            ]
            return False
        return valid


class WordHelpForm(PublicForm):
    how_to_reach = FreeTextAreaField(
        _l("How can the council reach you safely? (You can leave this empty.)"),
        validators=[Optional(), Length(max=500, message=_l("That is too long."))],
    )


def _problem_page(problem: LinkProblem | None, code: int = 200):
    return render_template("status/link_problem.html", problem=problem), code


def _refused(access: Access):
    """What a browser sees when it may not see the complaint (yet)."""
    if access.problem == LinkProblem.NEEDS_WORD:
        return redirect(url_for("status.ask_word"), code=303)
    session.pop("status", None)
    return _problem_page(access.problem)


def with_complaint(view):
    """Run a view only for a browser that may see its complaint now, and hand it over."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        access = visit.current_access()
        if not access.ok:
            return _refused(access)
        return view(access.complaint, *args, **kwargs)

    return wrapped


@bp.route("/s/<token>", methods=["GET", "POST"])
def open_link(token: str):
    """Show a Continue button; on POST, swap the token for a fresh session and a clean URL."""
    access, held = status_links.redeem(token)
    if held is None or access.complaint is None:
        return _problem_page(access.problem)
    form = ContinueForm()
    if not form.validate_on_submit():
        return render_template("status/open.html", form=form)
    visit.fresh_session()
    visit.allow(held)
    return redirect(url_for("status.progress"), code=303)


@bp.get("/progress")
@with_complaint
def progress(complaint):
    asked_again = session.pop("asked_again", False)
    return _status_page(
        complaint,
        asked_again=asked_again,
        word_set=session.pop("word_set", False),
        new_link=bool(session.pop("new_link", None)),
    )


def _status_page(complaint, code: int = 200, **extra):
    return render_template(
        "status/progress.html",
        status=complaints.status_of(complaint),
        told_us=complaints.told_us(complaint),
        answer=answer_of(complaint),
        has_word=bool(complaint.secret_word_hash),
        link=session_link(complaint),
        send_form=send_link_form(complaint, back="progress", formdata=None),
        set_word_form=extra.pop("set_word_form", None) or SetWordForm(formdata=None),
        new_link_form=extra.pop("new_link_form", None) or NewLinkForm(formdata=None),
        still_form=extra.pop("still_form", None) or StillNotHappyForm(formdata=None),
        **extra,
    ), code


def session_link(complaint) -> str:
    """The private link this session shows, to copy, share or keep (the same on every page)."""
    return public_url(
        "status.open_link", token=status_links.token_for_session(complaint, session["sid"])
    )


def send_link_form(complaint, back: str, **kwargs: Any) -> SendLinkForm:
    given = status_links.contact_given(complaint)
    if kwargs.get("formdata", True) is None:  # a fresh form: the address given, if any
        kwargs |= {"back": back, "to": "given" if given else "other"}
    return SendLinkForm(given=mask(given.value) if given else None, **kwargs)


# The answer, point by point --------------------------------------------------------------

FINDING_WORDS = {
    Outcome.UPHELD: _l("They agreed with you."),
    Outcome.PARTLY_UPHELD: _l("They agreed with some of it."),
    Outcome.NOT_UPHELD: _l("They did not agree with you."),
    Outcome.RESOLVED: _l("It was put right."),
    Outcome.NOT_CONSIDERED: _l("They could not look at this."),
}
REMEDY_WORDS = {
    Remedy.APOLOGY: _l("They will say sorry."),
    Remedy.EXPLANATION: _l("They will explain what happened."),
    Remedy.SERVICE: _l("They will give you what was missing."),
    Remedy.PRACTICE: _l("They will change how they work."),
    Remedy.FINANCIAL: _l("They will pay you some money."),
}


def answer_of(complaint) -> dict | None:
    """What the council's latest answer said on each point, in plain words: what they agreed
    with, what they did not, and what they will do (the remedies per point, and the reply's
    own words for what will be done, said once). None before any answer."""
    voice = Voice(complaint.voice)
    steps = JOURNEYS[DEFAULT_JOURNEY].steps
    points, will_do = [], []
    for point in sorted(complaint.points, key=lambda p: p.position):
        latest = point.outcomes[-1] if point.outcomes else None
        if latest is None or latest.outcome not in FINDING_WORDS:
            continue
        label = str(topic_label(steps, point.topic, voice))
        points.append(
            {
                "label": f"{label}: {point.description}" if point.description else label,
                "outcome": latest.outcome,
                "finding": FINDING_WORDS[Outcome(latest.outcome)],
                "will_do": [REMEDY_WORDS[Remedy(r)] for r in latest.remedies if r in REMEDY_WORDS],
            }
        )
        if latest.remedy and latest.remedy not in will_do:
            will_do.append(latest.remedy)
    return {"points": points, "will_do": will_do} if points else None


@bp.get("/progress/copy")
@with_complaint
def copy(complaint):
    """Download a copy of what the person told us, as plain text."""
    text = render_template(
        "status/copy.txt",
        status=complaints.status_of(complaint),
        told_us=complaints.told_us(complaint),
    )
    response = make_response(text)
    response.mimetype = "text/plain"
    response.headers["Content-Disposition"] = 'attachment; filename="my-answers.txt"'
    return response


def _paused_page(until):
    return render_template("status/word_paused.html", until=until), 429


@bp.route("/progress/withdraw", methods=["GET", "POST"])
@with_complaint
def withdraw(complaint):
    """Stop the complaint, after a plain check that this is what they want."""
    form = WithdrawForm(complaint=complaint)
    code, try_again = 200, False
    if form.validate_on_submit():
        try:
            complaints.withdraw(complaint, form.reason.data, visit.pending_risks())
            visit.risks_saved()
            return redirect(url_for("status.progress"), code=303)
        except casework.Conflict:  # a staff move landed first: say so, keep what was typed
            complaints.refresh(complaint)
            code, try_again = 409, True
    elif form.paused_until:
        return _paused_page(form.paused_until)
    elif form.errors:
        code = 400
    return render_template(
        "status/withdraw.html",
        form=form,
        has_word=bool(complaint.secret_word_hash),
        try_again=try_again,
    ), code


@bp.post("/progress/still-not-happy")
@with_complaint
def still_not_happy(complaint):
    """One tap asks for the next stage; a late request goes to a manager, never refused here."""
    form = StillNotHappyForm()
    if not form.validate_on_submit():
        return _status_page(complaint, code=400, still_form=form)
    try:
        asked = complaints.still_not_happy(complaint, form.words.data, visit.pending_risks())
        visit.risks_saved()
    except casework.Conflict:
        complaints.refresh(complaint)
        return _status_page(complaint, code=409, still_form=form, try_again=True)
    if asked:
        session["asked_again"] = True
    return redirect(url_for("status.progress"), code=303)


@bp.post("/progress/new-link")
@with_complaint
def new_link(complaint):
    """Give the person a fresh link and switch off every old one (for example, if it was seen)."""
    form = NewLinkForm(complaint=complaint)
    if not form.validate_on_submit():
        if form.paused_until:
            return _paused_page(form.paused_until)
        return _status_page(complaint, code=400, new_link_form=form)
    status_links.renew(complaint, actor=complaints.COMPLAINANT)
    visit.allow(status_links.grant(complaint))
    session["new_link"] = True  # the page shows it once; the token itself is never kept
    return redirect(url_for("status.progress") + "#keep-link", code=303)


# "Send me my link" -------------------------------------------------------------------------

# As on the lost-link page: enough for a few mistypes, not enough to send message after message.
SEND_LIMITS = "5 per minute;20 per hour"
PER_COMPLAINT_LIMITS = "3 per hour;6 per day"


def _per_complaint() -> str:
    held = session.get("status")
    public_id = held.get("c") if isinstance(held, dict) else None
    return f"my-link:{public_id}" if isinstance(public_id, str) else f"my-link:{per_session()}"


def _back_url(back: str | None) -> str:
    return url_for("chat.done") if back == "done" else url_for("status.progress")


@bp.route("/progress/send-link", methods=["GET", "POST"])
@limiter.limit(SEND_LIMITS, methods=["POST"])
@limiter.limit(SEND_LIMITS, methods=["POST"], key_func=per_session)
@limiter.limit(PER_COMPLAINT_LIMITS, methods=["POST"], key_func=_per_complaint)
@with_complaint
def send_link(complaint):
    """Send the private link to the address given, or one typed now (never saved)."""
    back = request.values.get("back")
    if request.method == "GET":
        form = send_link_form(complaint, back=back or "progress", formdata=None)
        return render_template("status/send_link.html", form=form, back_url=_back_url(back))
    form = send_link_form(complaint, back=back)
    if not form.validate_on_submit():
        return render_template("status/send_link.html", form=form, back_url=_back_url(back)), 400
    given = form.to.data == "given"
    to = status_links.contact_given(complaint) if given else form.contact.contact
    status_links.send_my_link(complaint, to, page_language())
    return redirect(
        url_for("status.link_sent", back="done" if back == "done" else "progress"), code=303
    )


@bp.get("/progress/send-link/sent")
@with_complaint
def link_sent(complaint):
    back = request.args.get("back")
    return render_template("status/link_sent.html", back_url=_back_url(back))


@bp.errorhandler(429)
def too_many(_error):
    """Asked too often: wait, or reach the council or an advocate another way."""
    return render_template("status/lost_link_too_many.html"), 429


@bp.post("/progress/word")
@with_complaint
def set_word(complaint):
    """Choose a secret word: any new browser must then give it before anything is shown."""
    if complaint.secret_word_hash:
        return redirect(url_for("status.progress"), code=303)
    form = SetWordForm()
    if not form.validate_on_submit():
        return _status_page(complaint, code=400, set_word_form=form)
    status_links.set_word(complaint, form.word.data)
    visit.allow(status_links.grant(complaint))
    session["word_set"] = True
    return redirect(url_for("status.progress") + "#secret-word", code=303)


@bp.route("/progress/word/check", methods=["GET", "POST"])
def ask_word():
    """A new browser gives the secret word before it sees anything of the complaint."""
    access = visit.current_access()
    if access.ok:
        return redirect(url_for("status.progress"), code=303)
    if access.problem != LinkProblem.NEEDS_WORD:
        return _refused(access)
    complaint = access.complaint
    form = AskWordForm(complaint=complaint)
    if form.validate_on_submit():
        visit.allow(status_links.grant(complaint))
        return redirect(url_for("status.progress"), code=303)
    if form.paused_until:
        return _paused_page(form.paused_until)
    return render_template("status/ask_word.html", form=form), (400 if form.errors else 200)


@bp.route("/progress/word/help", methods=["GET", "POST"])
def word_help():
    """Forgot the secret word: ask the complaints team for help (they check who it is)."""
    access = visit.current_access()
    if access.complaint is None:
        return _refused(access)
    form = WordHelpForm()
    if form.validate_on_submit():
        status_links.ask_for_word_help(
            access.complaint, form.how_to_reach.data, visit.pending_risks()
        )
        visit.risks_saved()
        return render_template("status/word_help_sent.html")
    return render_template("status/word_help.html", form=form), (400 if form.errors else 200)
