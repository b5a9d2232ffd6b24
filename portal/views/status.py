"""The private status page, reached only through a signed link (and a secret word, if set).

Every view here finds its complaint through `visit.current_access()`, the one check of link
version, expiry and secret word. Opening a link is two steps, as in GOV.UK Notify: the GET
shows a Continue button and only the POST turns the token into a session, so an email or
chat app that fetches links in advance cannot open the complaint or start a session.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, make_response, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import EqualTo, Length, Optional

from portal.links import public_url
from portal.services import casework, complaints, status_links
from portal.services.status_links import WORD_MAX, WORD_MIN, Access, LinkProblem, WordResult
from portal.views import visit
from portal.views.forms import FreeTextAreaField, PublicForm, SecretWordField

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
    new_token = session.pop("new_link", None)
    asked_again = session.pop("asked_again", False)
    return _status_page(
        complaint,
        asked_again=asked_again,
        word_set=session.pop("word_set", False),
        new_link=public_url("status.open_link", token=new_token) if new_token else None,
    )


def _status_page(complaint, code: int = 200, **extra):
    return render_template(
        "status/progress.html",
        status=complaints.status_of(complaint),
        told_us=complaints.told_us(complaint),
        has_word=bool(complaint.secret_word_hash),
        set_word_form=extra.pop("set_word_form", None) or SetWordForm(formdata=None),
        new_link_form=extra.pop("new_link_form", None) or NewLinkForm(formdata=None),
        still_form=extra.pop("still_form", None) or StillNotHappyForm(formdata=None),
        **extra,
    ), code


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
    token = status_links.reissue(complaint, actor=complaints.COMPLAINANT)
    visit.allow(status_links.grant(complaint))
    session["new_link"] = token
    return redirect(url_for("status.progress"), code=303)


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
