"""The staff form for a complaint that came by phone, email, letter, in person or through an
advocate: derived from the conversation itself, so a new question there is a question here.

Each step of the journey is one question, in the wording for someone speaking about a young
person (`say(..., Voice.OTHER)`), or in the short staff wording below where that reads oddly to
staff ("What is your name?"). A question that only applies on some paths says when ("Only
if …"): the note is worked out by trying earlier answers against the step's own `show_if`, so
it stays true when the conversation changes. What applies is decided when the form is sent, by
the same engine that walks the conversation (`engine.path`, `engine.is_valid`).

Nothing here touches the database: `portal.services.intake` logs the complaint.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale

from portal.clock import today_local
from portal.flows import engine
from portal.flows.model import CHOICE_KINDS, SINGLE_KINDS, TEXT_KINDS, Go, Journey, Kind, Step, say
from portal.safety.boundary import screen
from portal.services import intake
from portal.types import Arrival, Voice
from portal.views.forms import UK_MOBILE, UK_PHONE

OTHER = Voice.OTHER

# The form's own fields, beside the journey's questions (no step may use these names).
STAFF_FIELDS = ("arrived_by", "received_on", "taken_by", "form_key")

ARRIVAL_LABELS = {
    Arrival.PHONE: "By phone",
    Arrival.EMAIL: "By email",
    Arrival.LETTER: "By letter",
    Arrival.IN_PERSON: "In person",
    Arrival.ADVOCATE: "Through an advocate",
    Arrival.PORTAL: "Through Speak Up",
}


def arrival_label(value: str) -> str:
    """How it arrived, in words ("By phone"); a new way in is named from its value."""
    return ARRIVAL_LABELS.get(value) or value.replace("_", " ").capitalize()


# Staff wording where the conversation's words read oddly to staff. Anything not here uses the
# conversation's wording for someone speaking about a young person.
STAFF_LABELS = {
    "who": "Who is complaining?",
    "self_status": "Which of these fits the young person?",
    "adult_role": "Which of these is the parent or carer?",
    "complaint_for": "Is it about a child they look after, or about the carer?",
    "other_role": "Which of these is the person complaining?",
    "advocate_name": "Advocate's name",
    "advocate_organisation": "Advocate's organisation",
    "advocate_email": "Advocate's work email address",
    "advocate_phone": "Advocate's work phone number",
    "signpost": "Some of this is usually for someone else",
    "what_happened": "What happened?",
    "child_asked": "Did the young person ask the advocate to make this complaint?",
    "consent_note": "How did they try to find out what the young person thinks?",
    "parental_responsibility": "Does the person complaining have parental responsibility?",
    "consent": "Does the young person know about this complaint, and agree?",
    "outcome_words": "Anything else they want to happen?",
    "contact": "How should the council get in touch with them?",
    "email": "Their email address",
    "phone": "Their mobile number",
    "name": "What should the council call them?",
    "records": "Anything that helps find the young person's records?",
}
# None: no hint (the conversation's hint is for the person answering, not for staff).
STAFF_HINTS: dict[str, str | None] = {
    "who": None,
    "self_status": None,
    "advocate_phone": None,
    "signpost": (
        "Tell them where else they can go (the school, the police, the NHS, the court, or the "
        "chair of a child protection conference). If they still want the council to have it, "
        "choose the answer below."
    ),
    "what_happened": "Write it in their words, as they said or wrote it.",
    "child_asked": None,
    "court_police": "It does not stop the complaint. Staff decide what can be looked at now.",
    "consent": None,
    "outcome_words": None,
    "consent_note": "What they did to hear the young person's view.",
    "advocate": "Offer an advocate to every young person. It is free.",
    "name": None,
    "records": None,
}
STAFF_CHOICES = {
    ("who", "self"): "A young person, about themselves",
    ("who", "young_helper"): "A young person, about a brother, sister or friend",
    ("who", "advocate"): "An advocate for a young person",
    ("who", "parent_carer"): "A parent or carer",
    ("self_status", "looked_after"): "In care",
    ("self_status", "child_in_need"): "A social worker helps them or their family",
    ("self_status", "care_leaver"): "Has left care",
    ("self_status", "special_guardianship"): "Lives with a special guardian",
    ("self_status", "adoption"): "Adopted, or might be adopted",
    ("self_status", "not_sure"): "Not sure",
    ("complaint_for", "child"): "A child they look after",
    ("complaint_for", "myself"): "The carer, about the help they get",
    ("complaint_for", "no_child_yet"): "The carer: they want to adopt and no child lives with them",
    ("topics", "adult_treated"): "How the adult complaining was treated",
    ("topics", "carer_approval"): "Their approval or checks as a foster carer or adopter",
    ("topics", "carer_support"): "The help the council gives them as a carer",
    ("topics", "not_safe"): "Someone is not safe now, or a child is being harmed",
    ("signpost", "send_anyway"): "They want the council to have it anyway",
    ("child_asked", "yes"): "Yes, they asked the advocate to",
    ("when", "not_sure"): "Not sure",
    ("court_police", "not_sure"): "Not sure",
    ("parental_responsibility", "not_sure"): "Not sure",
    ("outcome", "not_sure"): "Not sure yet",
    ("contact", "link_only"): "No messages: they will use their private link",
}

# How deep the "only if" notes look: who → which role → what it is about.
PROBE_DEPTH = 3


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str | None = None
    note: str | None = None  # when this answer is offered, if not always


@dataclass(frozen=True)
class Question:
    step: Step
    label: str
    hint: str | None
    note: str | None  # when this question applies, if not always
    options: tuple[Option, ...] = ()

    @property
    def name(self) -> str:
        return self.step.id

    @property
    def kind(self) -> str:
        return self.step.kind

    @property
    def optional(self) -> bool:
        return not self.step.required and self.step.kind not in SINGLE_KINDS

    @property
    def input_type(self) -> str:
        """The keyboard for a one-line answer (never filled in from the staff member's own)."""
        return {"email": "email", "uk_mobile": "tel", "uk_phone": "tel"}.get(
            self.step.check or "", "text"
        )


# "Only if …": which earlier answers make a step (or a choice) apply -------------------------


@dataclass(frozen=True)
class _Flip:
    """An earlier answer that makes something apply (`shows`) or stop applying."""

    step: Step
    value: str
    shows: bool
    depth: int


def _deciders(journey: Journey, before: str) -> list[Step]:
    """The questions before this one whose answers can decide what is asked next."""
    found = []
    for step in journey.steps:
        if step.id == before:
            break
        if step.kind in CHOICE_KINDS and step.kind != Kind.SIGNPOST:
            found.append(step)
    return found


def _values(step: Step) -> list[tuple[str, Any]]:
    one = step.kind != Kind.MULTI
    return [(c.value, c.value if one else [c.value]) for c in step.choices if c.is_an_answer]


def _applies(journey: Journey, step: Step, answers: Mapping[str, Any]) -> bool:
    return step.show_if is None or bool(step.show_if(journey.state(answers)))


def _flips(
    journey: Journey, deciders: list[Step], shown: Callable[[Mapping[str, Any]], bool]
) -> tuple[bool, list[_Flip]]:
    """Try each earlier answer, then the follow-up questions it opens, against `shown`."""
    base = shown({})
    flips: dict[tuple[str, str, bool], _Flip] = {}
    open_at_start = [d for d in deciders if _applies(journey, d, {})]
    frontier: list[tuple[dict, bool, list[Step]]] = [({}, base, open_at_start)]
    for depth in range(PROBE_DEPTH):
        following = []
        for answers, result, candidates in frontier:
            for decider in candidates:
                for value, raw in _values(decider):
                    probe = {**answers, decider.id: raw}
                    now = shown(probe)
                    if now != result:
                        flips.setdefault(
                            (decider.id, value, now), _Flip(decider, value, now, depth)
                        )
                    opened = [
                        d
                        for d in deciders
                        if d.id not in probe
                        and not _applies(journey, d, answers)
                        and _applies(journey, d, probe)
                    ]
                    if opened:
                        following.append((probe, now, opened))
        frontier = following
    return base, list(flips.values())


def _turned_round(base: bool, flips: list[_Flip]) -> list[_Flip]:
    """Say "only if X" rather than "not if" every other answer to the same question."""
    if not base:
        return flips
    result = []
    for step in {f.step.id: f.step for f in flips if f.depth == 0}.values():
        hides = {f.value for f in flips if f.step.id == step.id and f.depth == 0}
        rest = [v for v, _ in _values(step) if v not in hides]
        if rest and len(hides) > len(rest):
            result += [_Flip(step, v, True, 0) for v in rest]
        else:
            result += [f for f in flips if f.step.id == step.id and f.depth == 0]
    return result + [f for f in flips if f.depth > 0]


def _clauses(flips: list[_Flip], label: Callable[[Step], str], choice: Callable) -> str:
    by_step: dict[str, list[_Flip]] = {}
    for flip in flips:
        by_step.setdefault(flip.step.id, []).append(flip)
    clauses = []
    for group in by_step.values():
        step = group[0].step
        values = {f.value for f in group}
        ordered = [v for v, _ in _values(step) if v in values]
        if len(ordered) == len(_values(step)) and len(ordered) > 1:
            clauses.append(f"“{label(step)}” has any answer")
            continue
        words = [f"“{choice(step, v)}”" for v in ordered]
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        verb = "includes" if step.kind == Kind.MULTI else "is"
        clauses.append(f"“{label(step)}” {verb} {listed}")
    return ", or ".join(clauses)


def _note(journey: Journey, before: str, shown: Callable[[Mapping[str, Any]], bool]) -> str | None:
    base, flips = _flips(journey, _deciders(journey, before), shown)
    flips = _turned_round(base, flips)
    showing = [f for f in flips if f.shows]
    hiding = [f for f in flips if not f.shows]
    sentences = []
    if showing:
        sentences.append(f"Only if {_clauses(showing, staff_label, choice_label)}.")
    if hiding:
        sentences.append(f"Not if {_clauses(hiding, staff_label, choice_label)}.")
    if not sentences:
        return None if base else "Only asked in some cases."
    return " ".join(sentences)


def _step_note(journey: Journey, step: Step) -> str | None:
    if step.show_if is None:
        return None
    return _note(journey, step.id, lambda answers: _applies(journey, step, answers))


def _choice_note(journey: Journey, step: Step, choice) -> str | None:
    if choice.show_if is None:
        return None
    return _note(journey, step.id, lambda answers: bool(choice.show_if(journey.state(answers))))


# The questions, in staff words -------------------------------------------------------------


def staff_label(step: Step) -> str:
    return str(STAFF_LABELS.get(step.id) or say(step.prompt, OTHER))


def choice_label(step: Step, value: str) -> str:
    if (step.id, value) in STAFF_CHOICES:
        return STAFF_CHOICES[(step.id, value)]
    found = step.choice(value)
    return str(say(found.label, OTHER)) if found is not None else value


def _hint(step: Step) -> str | None:
    if step.id in STAFF_HINTS:
        return STAFF_HINTS[step.id]
    return str(say(step.hint, OTHER)) if step.hint else None


def _reached(journey: Journey) -> set[str]:
    """Steps the conversation reaches other than through a "tell me more" answer."""
    reached = {journey.first.id}
    for step in journey.steps:
        answers = [c for c in step.choices if c.is_an_answer]
        falls_through = step.kind not in SINGLE_KINDS or any(not c.next for c in answers)
        default = engine.destination(journey, step, None)
        if default is not None and (falls_through or not step.choices):
            reached.add(default.id)
        for c in answers:
            if c.next == Go.FOLLOWING:
                following = journey.following(step)
                reached |= {following.id} if following else set()
            elif c.next and c.next != Go.END:
                reached.add(c.next)
    return reached


_QUESTIONS: dict[int, tuple[Journey, list[Question]]] = {}


def questions(journey: Journey) -> list[Question]:
    """Every question of the journey that staff answer, in order, with when it applies.

    A follow-up that only a "tell me more" answer leads to is left out, as are such answers:
    staff give the real answer at once.
    """
    cached = _QUESTIONS.get(id(journey))
    if cached is not None and cached[0] is journey:
        return cached[1]
    clash = {s.id for s in journey.steps} & set(STAFF_FIELDS)
    if clash:
        raise ValueError(f"journey steps use the staff form's own names: {sorted(clash)}")
    reached = _reached(journey)
    with force_locale("en"):  # the staff area is in English
        found = [
            Question(
                step=step,
                label=staff_label(step),
                hint=_hint(step),
                note=_step_note(journey, step),
                options=tuple(
                    Option(
                        c.value,
                        choice_label(step, c.value),
                        str(say(c.hint, OTHER)) if c.hint else None,
                        _choice_note(journey, step, c),
                    )
                    for c in step.choices
                    if c.is_an_answer
                ),
            )
            for step in journey.steps
            if step.id in reached
        ]
    _QUESTIONS[id(journey)] = (journey, found)
    return found


# Reading and checking what was sent ---------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})\s*$")


def shown_back(value: str | None) -> str:
    """What was typed, to put back in its box (without invisible control characters)."""
    return _CONTROL.sub("", value or "")


def parse_date(typed: str | None) -> date | None:
    """A date from a date box (2026-03-27) or as people write it (27/3/2026, 27 3 2026)."""
    words = shown_back(typed).strip()
    try:
        return date.fromisoformat(words)
    except ValueError:
        pass
    found = _DAY_MONTH_YEAR.match(words)
    if found is None:
        return None
    day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass
class Entry:
    """What staff sent: the complainant's answers (their words cleaned) and the staff fields."""

    answers: dict[str, Any] = field(default_factory=dict)
    received_typed: str = ""
    received_on: date | None = None
    arrived_by: str = ""
    taken_by: str = ""
    form_key: str = ""


def _answer(question: Question, form: Any) -> Any:
    step = question.step
    if step.kind == Kind.MULTI:
        picked = list(dict.fromkeys(form.getlist(step.id)))
        known = [v for v, _ in _values(step) if v in picked]
        return known + [v for v in picked if v not in known]
    typed = form.get(step.id)
    if step.kind in TEXT_KINDS:
        words = screen(typed).text  # the one boundary every word a complainant says passes
        if step.check in ("uk_mobile", "uk_phone") and words:
            words = " ".join(words.split())
        return words
    if step.kind == Kind.DATE:
        day = parse_date(typed)
        return day.isoformat() if day else shown_back(typed).strip() or None
    return typed or None


def read(journey: Journey, form: Any) -> Entry:
    """Read the form: every question's answer (even ones that do not apply: kept, not used)."""
    entry = Entry(
        received_typed=shown_back(form.get("received_on")),
        arrived_by=form.get("arrived_by") or "",
        taken_by=form.get("taken_by") or "",
        form_key=form.get("form_key") or "",
    )
    entry.received_on = parse_date(entry.received_typed)
    for question in questions(journey):
        value = _answer(question, form)
        if value is not None:
            entry.answers[question.name] = value
    return entry


def _required(question: Question) -> str:
    label = question.label
    because = " It is needed because of the answers above." if question.step.show_if else ""
    if question.kind == Kind.MULTI:
        return f"Choose at least one answer to “{label}”.{because}"
    if question.kind in CHOICE_KINDS:
        return f"Choose an answer to “{label}”.{because}"
    if question.kind == Kind.DATE:
        return f"Enter a date for “{label}”, like 27 3 2026.{because}"
    return f"Write an answer to “{label}”.{because}"


def _choice_problem(question: Question, value: Any, state: Any) -> str | None:
    step = question.step
    picked = value if isinstance(value, list) else [value] if value else []
    if not picked:
        return _required(question) if step.required or step.kind != Kind.MULTI else None
    offered = {c.value for c in step.choices_for(state)}
    known = {c.value for c in step.choices}
    if any(v not in known for v in picked):
        return f"Choose one of the answers shown for “{question.label}”."
    refused = [v for v in picked if v not in offered]
    if refused:
        names = ", ".join(f"“{choice_label(step, v)}”" for v in refused)
        return (
            f"{names} does not fit the answers above. Choose another answer to "
            f"“{question.label}”, or change the answers above."
        )
    return None


def _format_problem(step: Step, words: str) -> str | None:
    if step.check == "email":
        try:
            validate_email(words, check_deliverability=False)
        except EmailNotValidError:
            return str(say(step.errors.get("format"), OTHER) or "Check the email address.")
    pattern = {"uk_mobile": UK_MOBILE, "uk_phone": UK_PHONE}.get(step.check or "")
    if pattern is not None and not pattern.match(re.sub(r"[\s\-()]", "", words)):
        return str(say(step.errors.get("format"), OTHER) or "Check the phone number.")
    return None


def _text_problem(question: Question, words: Any) -> str | None:
    step = question.step
    words = words if isinstance(words, str) else ""
    if not words:
        return _required(question) if step.required else None
    if step.max_length and len(words) > step.max_length:
        return (
            f"“{question.label}” is too long: {len(words):,} characters. Shorten it to "
            f"{step.max_length:,} characters or fewer."
        )
    return _format_problem(step, words)


def _date_problem(question: Question, value: Any) -> str | None:
    if not value:
        return _required(question) if question.step.required else None
    day = parse_date(value)
    if day is None:
        return f"Enter a real date for “{question.label}”, like 27 3 2026."
    if day > today_local():
        return f"The date for “{question.label}” cannot be after today."
    return None


def problem(question: Question, value: Any, state: Any) -> str | None:
    """What is wrong with one answer, in plain words that say what to do; None if nothing."""
    if question.kind in CHOICE_KINDS:
        return _choice_problem(question, value, state)
    if question.kind in TEXT_KINDS:
        return _text_problem(question, value)
    return _date_problem(question, value)


def _staff_problems(entry: Entry) -> dict[str, str]:
    errors = {}
    if entry.arrived_by not in intake.ARRIVALS:
        errors["arrived_by"] = "Choose how the complaint reached the council."
    if not entry.received_typed.strip():
        errors["received_on"] = "Enter the date the complaint reached the council, like 27 3 2026."
    elif entry.received_on is None:
        errors["received_on"] = (
            "Enter a real date for when it was received, like 27 3 2026 (day, month, year)."
        )
    elif entry.received_on > today_local():
        errors["received_on"] = (
            "The date it was received cannot be after today. Enter today's date or earlier."
        )
    taken_by = screen(entry.taken_by).text
    if not taken_by:
        errors["taken_by"] = "Write the name of the person who took the complaint."
    elif len(taken_by) > intake.TAKEN_BY_MAX:
        errors["taken_by"] = f"Write the name in {intake.TAKEN_BY_MAX} characters or fewer."
    return errors


def check(journey: Journey, entry: Entry) -> dict[str, str]:
    """Every problem with what was sent, in the form's order: the staff fields, then each
    question that applies to this complaint (the engine's path through the answers)."""
    with force_locale("en"):  # the staff area is in English
        return _check(journey, entry)


def _check(journey: Journey, entry: Entry) -> dict[str, str]:
    errors = _staff_problems(entry)
    state = journey.state(entry.answers)
    by_id = {q.name: q for q in questions(journey)}
    for step in engine.path(journey, entry.answers):
        question = by_id.get(step.id)
        if question is None:
            continue
        found = problem(question, entry.answers.get(step.id), state)
        if found:
            errors[step.id] = found
    waiting = engine.current_step(journey, entry.answers)
    if waiting is not None and waiting.id in by_id and not errors:
        errors[waiting.id] = _required(by_id[waiting.id])
    return errors


def applies(journey: Journey, entry: Entry) -> set[str]:
    """The questions that apply to what was sent (for showing which answers will be kept)."""
    return {s.id for s in engine.path(journey, entry.answers)}
