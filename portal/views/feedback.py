"""'Say thank you or share an idea': a short conversation, one question at a time.

The questions are data (`FEEDBACK` in portal/services/feedback.py), walked by the same engine
and drawn with the same chat parts as the complaint conversation. Answers are saved in a draft
as they are given (its key is kept in the cookie as `feedback`, so a complaint being written in
the same browser is never touched), and sending records it once however often it is pressed.
Every box is a screened field: words about harm show the safety help on the next page, are
kept with the draft, and flag what is sent (portal/services/feedback.py alerts the duty team).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from portal.flows import engine
from portal.flows.model import TEXT_KINDS, Step
from portal.flows.present import Exchange, describe, summary_label
from portal.services import drafts, safety
from portal.services import feedback as service
from portal.services.messages import page_language
from portal.types import Voice
from portal.views import visit
from portal.views.forms import PublicForm, form_for, stored_value

bp = Blueprint("feedback", __name__, url_prefix="/thank-you-or-idea")

KEY = "feedback"  # the cookie's key for this browser's feedback draft (visit.PUBLIC_KEYS)
JOURNEY = service.FEEDBACK
TRANSCRIPT_LENGTH = 3


class SendForm(PublicForm):
    """Check your answers: only the button and its CSRF token."""


class AskForAnswerForm(PublicForm):
    """'I would like an answer' on check-your-answers, for someone saying thank you."""


def _go(url: str):
    return redirect(url, code=303)


def _step_url(step: Step | None, changing: bool = False) -> str:
    if step is None:
        return url_for("feedback.check")
    return url_for("feedback.step", step_id=step.id, change=1 if changing else None)


def _transcript(answers: dict[str, Any], step_id: str, voice: Voice) -> list[Exchange]:
    earlier = []
    for step, value in engine.answered_path(JOURNEY, answers):
        if step.id == step_id:
            break
        earlier.append(Exchange(summary_label(step, voice), describe(step, value, voice), []))
    return earlier[-TRANSCRIPT_LENGTH:]


def _help_for(voice: Voice) -> None:
    """Word the safety help for whoever is typing (an adult gets adult help)."""
    if visit.pending_risks():
        session["safety_help"] = "adult" if voice == Voice.OTHER else "child"


@bp.get("")
def start():
    """From the home page: the first question, or where this browser left off."""
    saved = drafts.load(session.get(KEY))
    if saved.is_sent:
        return _go(url_for("feedback.sent_page"))
    return _go(_step_url(engine.current_step(JOURNEY, saved.answers)))


@bp.get("/new")
def again():
    """Start a new one after sending (the one sent is kept; this browser forgets it)."""
    session.pop(KEY, None)
    return _go(_step_url(JOURNEY.first))


@bp.route("/<step_id>", methods=["GET", "POST"])
def step(step_id: str):
    current = JOURNEY.get(step_id)
    if current is None:
        abort(404)
    key = session.get(KEY)
    saved = drafts.load(key)
    if saved.is_sent:
        return _go(url_for("feedback.sent_page"))
    answers = saved.answers
    changing = request.args.get("change") == "1"
    if not engine.is_reachable(JOURNEY, answers, step_id):
        return _go(_step_url(engine.current_step(JOURNEY, answers), changing))
    state = JOURNEY.state(answers)

    if request.method == "POST":
        form = form_for(current, state, formdata=request.form)
        valid = form.validate()
        _help_for(state.voice)
        if valid:
            value = stored_value(current, form)
            visit.session_id()
            session[KEY] = drafts.save_answer(
                key, JOURNEY.id, step_id, value, visit.pending_risks(), saved=saved
            )
            visit.risks_saved()
            answers = {**answers, step_id: value}
            if changing:
                waiting = engine.current_step(JOURNEY, answers)
                return _go(_step_url(waiting, changing=True))
            return _go(_step_url(engine.step_after(JOURNEY, answers, step_id)))
        # Not saved (a typo in an email address, say): the worry still goes with the draft.
        safety.note_draft_risk(key, list(visit.pending_risks()))
        visit.risks_saved()
    else:
        form = form_for(current, state, answer=answers.get(step_id))

    before = engine.step_before(JOURNEY, answers, step_id)
    first_text = next((s for s in engine.path(JOURNEY, answers) if s.kind in TEXT_KINDS), None)
    return render_template(
        "feedback/step.html",
        step=current,
        form=form,
        voice=state.voice,
        changing=changing,
        progress=engine.progress(JOURNEY, answers, step_id),
        transcript=_transcript(answers, step_id, state.voice),
        sharing_notice=first_text is not None and first_text.id == current.id,
        back_url=url_for("feedback.check")
        if changing
        else (_step_url(before) if before else url_for("pages.home")),
    )


@bp.get("/check")
def check():
    saved = drafts.load(session.get(KEY))
    if saved.is_sent:
        return _go(url_for("feedback.sent_page"))
    answers = saved.answers
    waiting = engine.current_step(JOURNEY, answers)
    if waiting is not None:
        return _go(_step_url(waiting))
    state = JOURNEY.state(answers)
    rows = [
        {
            "id": s.id,
            "label": summary_label(s, state.voice),
            "answer": describe(s, v, state.voice),
            "change_url": _step_url(s, changing=True),
        }
        for s, v in engine.summary(JOURNEY, answers)
    ]
    return render_template(
        "feedback/check.html",
        rows=rows,
        state=state,
        send_form=SendForm(formdata=None),
        ask_form=AskForAnswerForm(formdata=None),
    )


@bp.post("/answer-please")
def ask_for_answer():
    """Someone saying thank you would like an answer after all: ask how."""
    form = AskForAnswerForm()
    key = session.get(KEY)
    saved = drafts.load(key)
    if saved.is_sent:
        return _go(url_for("feedback.sent_page"))
    if not saved.answers:
        return _go(_step_url(JOURNEY.first))
    if form.validate():
        session[KEY] = drafts.save_answer(key, JOURNEY.id, service.ASKED_FOR_REPLY, "yes")
    answers = drafts.load(session.get(KEY)).answers
    return _go(_step_url(engine.current_step(JOURNEY, answers)))


@bp.post("/send")
def send():
    form = SendForm()
    key = session.get(KEY)
    if not form.validate():
        return _go(url_for("feedback.check"))
    if service.submit_draft(key, page_language()) is None:
        saved = drafts.load(key)
        return _go(_step_url(engine.current_step(JOURNEY, saved.answers)))
    return _go(url_for("feedback.sent_page"))


@bp.get("/sent")
def sent_page():
    """What happens next. Only while this browser holds what it sent (never what it said)."""
    sent = service.sent(session.get(KEY))
    if sent is None:
        return _go(url_for("feedback.start"))
    return render_template("feedback/sent.html", sent=sent)
