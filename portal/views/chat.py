"""The conversation: one generic view renders any step of any journey."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from portal import wording
from portal.flows import DEFAULT_JOURNEY, JOURNEYS, engine, rules
from portal.flows.model import TEXT_KINDS, Journey, Kind, Step
from portal.flows.present import describe, summary_label, topic_label
from portal.links import public_url
from portal.services import complaints, drafts, status_links
from portal.services.status_links import LinkProblem
from portal.types import Voice
from portal.views import visit
from portal.views.forms import form_for, stored_value
from portal.views.status import SetWordForm

bp = Blueprint("chat", __name__, url_prefix="/chat")

TRANSCRIPT_LENGTH = 3  # earlier questions shown as bubbles: enough for context on a small screen


def _journey() -> Journey:
    return JOURNEYS[DEFAULT_JOURNEY]


def _step_url(step: Step | None, changing: bool = False) -> str:
    if step is None:
        return url_for("chat.check")
    return url_for("chat.step", step_id=step.id, change=1 if changing else None)


def _go(url: str):
    return redirect(url, code=303)


def _where_next(journey: Journey, answers: dict[str, Any], step_id: str, changing: bool) -> str:
    """After an answer: carry on, or (when changing an answer) go back to the summary."""
    if changing:
        waiting = engine.current_step(journey, answers)
        return _step_url(waiting, changing=True)
    return _step_url(engine.step_after(journey, answers, step_id))


def explained(decisions: list[rules.Decision], voice) -> list[str]:
    """Put decisions into plain words for this person, with the council's settings."""
    return [d.explain(voice, wording.settings()) for d in decisions]


def explained_points(journey: Journey, points, voice) -> list[dict]:
    """Group the complaint's points by procedure, each group with its reason in plain words."""
    groups: dict[tuple[str, str], dict] = {}
    for point in points:
        label = str(topic_label(journey.steps, point.topic, voice))
        if point.description:
            label = f"{label}: {point.description}"
        group = groups.setdefault(
            (point.procedure.value, point.procedure.reason),
            {
                "procedure": point.procedure.value,
                "why": point.procedure.explain(voice, wording.settings()),
                "labels": [],
            },
        )
        group["labels"].append(label)
    return list(groups.values())


def _transcript(journey: Journey, answers: dict[str, Any], step_id: str, state) -> list[dict]:
    """The last few questions and answers, with what the conversation said back to each."""
    earlier = []
    for step, value in engine.answered_path(journey, answers):
        if step.id == step_id:
            break
        earlier.append(
            {
                "question": summary_label(step, state.voice),
                "answer": describe(step, value, state.voice),
                "said": explained(rules.said_after(step.id, state), state.voice),
            }
        )
    return earlier[-TRANSCRIPT_LENGTH:]


def _is_first_text_box(journey: Journey, answers: dict[str, Any], step: Step) -> bool:
    first = next((s for s in engine.path(journey, answers) if s.kind in TEXT_KINDS), None)
    return first is not None and first.id == step.id


def _sent_elsewhere():
    """The draft in this session was already sent (another tab, or Back after Send)."""
    session.pop("draft", None)
    return _go(url_for("chat.done") if "status" in session else url_for("pages.home"))


@bp.route("/<step_id>", methods=["GET", "POST"])
def step(step_id: str):
    journey = _journey()
    current = journey.get(step_id)
    if current is None:
        abort(404)
    key = session.get("draft")
    saved = drafts.load(key)
    if saved.is_sent:
        return _sent_elsewhere()
    answers = saved.answers
    changing = request.args.get("change") == "1"
    if not engine.is_reachable(journey, answers, step_id):
        return _go(_step_url(engine.current_step(journey, answers), changing))
    state = journey.state(answers)
    voice = state.voice

    if request.method == "POST":
        form = form_for(current, state, formdata=request.form)
        if form.validate():
            value = stored_value(current, form)
            visit.session_id()
            session["draft"] = drafts.save_answer(
                key, journey.id, step_id, value, visit.pending_risks()
            )
            visit.risks_saved()
            answers = {**answers, step_id: value}
            return _go(_where_next(journey, answers, step_id, changing))
    else:
        form = form_for(current, state, answer=answers.get(step_id))

    before = engine.step_before(journey, answers, step_id)
    return render_template(
        "chat/step.html",
        step=current,
        form=form,
        voice=voice,
        changing=changing,
        progress=engine.progress(journey, answers, step_id),
        transcript=_transcript(journey, answers, step_id, state),
        state=state,
        sharing_notice=_is_first_text_box(journey, answers, current),
        places=rules.elsewhere_places(state) if current.kind == Kind.SIGNPOST else [],
        back_url=url_for("chat.check")
        if changing
        else (_step_url(before) if before else url_for("pages.home")),
    )


@bp.get("/check")
def check():
    journey = _journey()
    saved = drafts.load(session.get("draft"))
    if saved.is_sent:
        return _sent_elsewhere()
    answers = saved.answers
    waiting = engine.current_step(journey, answers)
    if waiting is not None:
        return _go(_step_url(waiting))
    state = journey.state(answers)
    voice = state.voice
    rows = [
        {
            "id": s.id,
            "label": summary_label(s, voice),
            "answer": describe(s, v, voice),
            "change_url": _step_url(s, changing=True),
        }
        for s, v in engine.summary(journey, answers)
    ]
    return render_template(
        "chat/check.html",
        rows=rows,
        voice=voice,
        decisions=explained(rules.decisions(state), voice),
        points=explained_points(journey, rules.points(state), voice),
    )


@bp.post("/send")
def send():
    complaint = complaints.submit_draft(session.get("draft"), _journey())
    if complaint is None:
        # Not finished yet: back to the first gap. (No draft at all but an earlier complaint
        # in this session: show that one again rather than an empty journey.)
        saved = drafts.load(session.get("draft"))
        if not saved.answers and "status" in session:
            return _go(url_for("chat.done"))
        return _go(_step_url(engine.current_step(_journey(), saved.answers)))
    session.pop("draft", None)
    visit.allow(status_links.grant(complaint))
    return _go(url_for("chat.done"))


@bp.get("/done")
def done():
    """The confirmation page: only while this browser may still see the complaint."""
    access = visit.current_access()
    if access.problem == LinkProblem.NEEDS_WORD:
        return _go(url_for("status.ask_word"))
    if not access.ok:
        session.pop("status", None)
        return _go(url_for("pages.home"))
    complaint = access.complaint
    voice = Voice(complaint.voice)
    return render_template(
        "chat/done.html",
        complaint=complaint,
        decisions=explained(complaints.decisions_of(complaint), voice),
        points=explained_points(_journey(), complaints.points_of(complaint), voice),
        status=complaints.status_of(complaint),
        status_url=public_url("status.open_link", token=status_links.token_for(complaint)),
        has_word=bool(complaint.secret_word_hash),
        set_word_form=SetWordForm(formdata=None),
    )
