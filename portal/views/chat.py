"""The conversation: one generic view renders any step of any journey."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    get_template_attribute,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from markupsafe import Markup

from portal import templating, wording
from portal.flows import DEFAULT_JOURNEY, JOURNEYS, engine, rules
from portal.flows.model import CHOICE_KINDS, TEXT_KINDS, Journey, Kind, Step
from portal.flows.present import Exchange, describe, summary_label, topic_label
from portal.i18n import locale_code
from portal.services import complaints, drafts, status_links
from portal.services.status_links import LinkProblem
from portal.types import Voice
from portal.views import visit
from portal.views.forms import form_for, stored_value
from portal.views.status import SetWordForm, send_link_form, session_link

bp = Blueprint("chat", __name__, url_prefix="/chat")


def _journey() -> Journey:
    return JOURNEYS[DEFAULT_JOURNEY]


# Each question's address, by where the app is mounted: url_for builds the same one for
# everyone (an answer's redirect and every page's Back link need one). Cleared when full.
_STEP_URLS: dict[tuple, str] = {}


def _step_url(step: Step | None, changing: bool = False) -> str:
    if step is None:
        return url_for("chat.check")
    key = (request.script_root, step.id, changing)
    found = _STEP_URLS.get(key)
    if found is None:
        if len(_STEP_URLS) >= 1024:
            _STEP_URLS.clear()
        found = _STEP_URLS[key] = url_for(
            "chat.step", step_id=step.id, change=1 if changing else None
        )
    return found


def _go(url: str):
    return redirect(url, code=303)


# The mark on the address of the question after an answer (see _where_next).
ARRIVED = "next"


def _where_next(journey: Journey, answers: dict[str, Any], step_id: str, changing: bool) -> str:
    """After an answer: carry on, or (when changing an answer) go back to the summary."""
    walk = engine.walk(journey, answers)
    if changing:
        return _step_url(walk.current, changing=True)
    following = walk.after(step_id)
    if following is None:
        return _step_url(following)
    # The next page puts its question in front of them (speakup.js moves the focus there and
    # takes the mark off the address, so a reload or Back is not an arrival). No element has
    # this id, so without a script nothing moves. Carried in the address, not the session, so
    # an answer changes no cookie.
    return _step_url(following) + "#" + ARRIVED


def explained(decisions: list[rules.Decision], voice) -> list[str]:
    """Put decisions into plain words for this person, with the council's settings."""
    if not decisions:
        return []
    settings = wording.settings()  # the same for each decision: filled in once
    return [d.explain(voice, settings) for d in decisions]


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


def _settings_named() -> tuple:
    """The council's settings an explanation may name (rules.PLACEHOLDERS), as a key."""
    config = current_app.config
    return tuple(config.get(name) for name in rules.PLACEHOLDERS.values())


def _so_far(walk: engine.Walk, step_id: str) -> tuple[Markup, Markup]:
    """The answers before this question, folded, and what was said back to the last one, as
    markup: made once per walk, question, language and settings (a walk over choices only is
    kept, and shared by everyone who chose the same; a walk with typed words is not)."""
    key = ("so far", step_id, locale_code(), _settings_named())
    found = walk.known.get(key)
    if found is None:
        transcript = _transcript(walk, step_id)
        found = _know(
            walk, key, (templating.answers_so_far(transcript), templating.said_last(transcript))
        )
    return found


# What a kept walk holds for its pages (by question and language, mostly the one question
# after its answers): a few kilobytes each at most, so a worker's kept walks stay within a few
# tens of megabytes (engine.WALKS_KEPT of them).
KNOWN_PER_WALK = 16


def _know(walk: engine.Walk, key: tuple, value: Any) -> Any:
    if len(walk.known) >= KNOWN_PER_WALK:
        walk.known.clear()
    walk.known[key] = value
    return value


def _transcript(walk: engine.Walk, step_id: str) -> list[Exchange]:
    """The questions answered before this one, with what the conversation said back to each."""
    state = walk.state
    earlier = []
    for step, value in walk.answered():
        if step.id == step_id:
            break
        earlier.append(_exchange(step, value, state))
    return earlier


# A chosen answer's place in the transcript (the question, the choice, what was said back),
# in words: the same for everyone who chose it, in that language and voice, so translated once
# (translating them again was a tenth of the third question's page, and grows with each answer
# given). Words someone typed are never kept. Cleared when full.
_EXCHANGES: dict[tuple, tuple[Step, Exchange]] = {}
EXCHANGES_KEPT = 4096


def _exchange(step: Step, value: Any, state: Any) -> Exchange:
    voice = state.voice
    said = rules.said_after(step.id, state)
    chosen = tuple(value) if isinstance(value, list) else (value,)
    if step.kind not in CHOICE_KINDS or not all(isinstance(v, str) for v in chosen):
        return Exchange(
            question=summary_label(step, voice),
            answer=describe(step, value, voice),
            said=explained(said, voice),
        )
    key = (
        step.id,
        chosen,
        voice,
        locale_code(),
        tuple(d.reason for d in said),
        _settings_named(),
    )
    found = _EXCHANGES.get(key)
    if found is None or found[0] is not step:
        words = Exchange(
            question=str(summary_label(step, voice)),
            answer=[str(line) for line in describe(step, value, voice)],
            said=explained(said, voice),
        )
        if len(_EXCHANGES) >= EXCHANGES_KEPT:
            _EXCHANGES.clear()
        found = _EXCHANGES[key] = (step, words)
    return found[1]


# engine.minutes_for's answers, by journey, language, voice and the shape of the path still to
# come (its steps, and the choices each offers where that depends on earlier answers): the same
# for everyone on that path, and worked out from every word on it. Cleared when full.
_MINUTES: dict[tuple, tuple[Journey, int]] = {}
MINUTES_KEPT = 4096


def _minutes_left(walk: engine.Walk, step_id: str) -> int:
    """About how many minutes the rest of the path takes (engine.minutes_for, kept)."""
    known = ("minutes", step_id, locale_code())
    found = walk.known.get(known)
    if found is not None:
        return found
    state = walk.state
    steps = walk.still_to_come(step_id)
    shape = tuple(
        s.id if s.offered_to_everyone else (s.id, tuple(c.value for c in s.choices_for(state)))
        for s in steps
    )
    key = (walk.journey.id, locale_code(), state.voice, shape)
    found = _MINUTES.get(key)
    if found is None or found[0] is not walk.journey:
        if len(_MINUTES) >= MINUTES_KEPT:
            _MINUTES.clear()
        found = _MINUTES[key] = (walk.journey, engine.minutes_for(steps, state.voice, state))
    return _know(walk, known, found[1])


MACROS = "components/chat.html"
BUTTON_KINDS = frozenset({Kind.SINGLE, Kind.MULTI, Kind.YES_NO})


def _answer_box(
    step: Step, state: Any, form: FlaskForm | None, answer: Any, errors: tuple
) -> Markup:
    """Where a person answers: buttons to choose from (made once per step and language, their
    choice marked: templating.answer_buttons), or a box to write in, holding what they wrote
    before (components/chat.html). On a question page (no form posted) the form is made
    only if it is needed: for a box, or for buttons not made yet."""

    def made() -> FlaskForm:
        return form if form is not None else form_for(step, state, answer=answer)

    if step.kind in BUTTON_KINDS:

        def render(*args: Any) -> Markup:  # only when the buttons are not made yet
            return get_template_attribute(MACROS, "choice_list")(*args)

        return templating.answer_buttons(
            step,
            state.voice,
            step.kind == Kind.MULTI,
            tuple(c.value for c in step.choices_for(state)),
            templating.chosen_values(form.answer.data if form is not None else answer),
            lambda: made().answer,
            render,
        )
    return get_template_attribute(MACROS, "answer_box")(step, made(), errors)


def _is_first_text_box(walk: engine.Walk, step: Step) -> bool:
    """The first box where someone writes about what happened or a young person (not their own
    name or address): the privacy warning belongs there."""
    first = next(
        (s for s in walk.steps if s.kind in TEXT_KINDS and not s.about_the_writer),
        None,
    )
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
    saved = visit.saved_draft()
    if saved.is_sent:
        return _sent_elsewhere()
    answers = saved.answers
    changing = request.args.get("change") == "1"
    walk = engine.walk(journey, answers)  # the path, worked out once for this request
    if not walk.is_reachable(step_id):
        return _go(_step_url(walk.current, changing))
    state = walk.state
    voice = state.voice

    form = None  # a question page makes the form only if it needs it (_answer_box)
    if request.method == "POST":
        form = form_for(current, state, formdata=request.form)
        if form.validate():
            value = stored_value(current, form)
            visit.session_id()
            saved_as = drafts.save_answer(
                key, journey.id, step_id, value, visit.pending_risks(), saved=saved
            )
            if saved_as != key:  # a new draft: the cookie names it (unchanged, none is sent)
                session["draft"] = saved_as
            visit.risks_saved()
            answers = {**answers, step_id: value}
            return _go(_where_next(journey, answers, step_id, changing))

    before = walk.before(step_id)
    progress = walk.progress(step_id)
    errors = tuple(form.answer.errors) if form is not None else ()
    so_far, said_last = _so_far(walk, step_id)
    # Made once for everyone on this step and path; what is this person's own is a hole.
    return templating.render_page(
        "chat/step.html",
        holes={
            "transcript": lambda: so_far,
            "said_last": lambda: said_last,
            "answer": lambda: _answer_box(current, state, form, answers.get(step_id), errors),
        },
        declared={"step": current},
        cache=not errors,
        form=form if errors else None,
        errors=errors,
        voice=voice,
        changing=changing,
        progress=(progress.number, progress.total),
        minutes_left=_minutes_left(walk, step_id),
        feels_unsafe=state.feels_unsafe,
        sharing_notice=_is_first_text_box(walk, current),
        places=rules.elsewhere_places(state) if current.kind == Kind.SIGNPOST else [],
        back_url=url_for("chat.check")
        if changing
        else (_step_url(before) if before else url_for("pages.home")),
    )


@bp.get("/check")
def check():
    journey = _journey()
    saved = visit.saved_draft()
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
            "answer": _in_short(s, describe(s, v, voice)),
            "change_url": _step_url(s, changing=True),
        }
        for s, v in engine.summary(journey, answers)
    ]
    return render_template(
        "chat/check.html",
        rows=rows,
        voice=voice,
        decisions=explained(_for_the_person(rules.decisions(state)), voice),
    )


# On check your answers a long answer is shown in short: "Change" shows all of it.
SHORT_ANSWER = 90


def _in_short(step: Step, lines: list[Any]) -> list[Any]:
    """Cut what someone wrote to its first words, and put several choices on one line."""
    if step.kind in TEXT_KINDS:
        return [_first_words(str(line)) for line in lines]
    if step.kind == Kind.MULTI and len(lines) > 1:
        comma = "، " if locale_code() == "ar" else ", "
        return [comma.join(str(line) for line in lines)]
    return lines


def _first_words(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SHORT_ANSWER:
        return text
    cut = text[:SHORT_ANSWER].rsplit(" ", 1)[0] or text[:SHORT_ANSWER]
    return cut.rstrip(",.;:") + "…"


# What the person hears about before sending: what a person at the council will decide, help
# that is coming, and what complaining for someone else does not give. Which procedure a point
# follows, and that it is in time or may be made as of right, are for staff (the case page).
TOLD_BEFORE_SENDING = frozenset(
    {"advocate_wanted", "advocate_not_wanted", "no_private_information"}
)


def _for_the_person(decisions: list[rules.Decision]) -> list[rules.Decision]:
    return [d for d in decisions if d.needs_a_person or d.reason in TOLD_BEFORE_SENDING]


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
        status_url=session_link(complaint),
        send_form=send_link_form(complaint, back="done", formdata=None),
        has_word=bool(complaint.secret_word_hash),
        set_word_form=SetWordForm(formdata=None),
    )
