"""The typed fields a stage move asks for (pure: no Flask, no database).

A `Transition` in portal/stages.py lists its fields. From that one list the staff form is drawn
(staff/templates/staff/_fields.html has one macro per `Kind`, and a test fails when one is
missing) and what staff send is read and checked here, field by field, before anything is
written. Messages say what to do, in plain words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from portal.text import plain_text
from portal.types import FINDINGS, Outcome, Remedy

MAX_TEXT = 5000  # the boxes' maxlength; longer only comes from a hand-made request
MAX_NAME = 120


class Kind(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # a box of plain text
    DATE = "date"
    CHOICE = "choice"  # one of a few, as radios
    CONFIRM = "confirm"  # a box that must be ticked
    DAYS = "days"  # whole working days, up to what the case still allows
    STAFF = "staff"  # a member of staff
    OUTCOMES = "outcomes"  # a finding and the remedies for every point
    POINTS = "points"  # edit, split or remove points; their theme and service area
    HOLDS = "holds"  # put points on hold, or take them off hold (reg 8)
    NAMES = "names"  # several people, one per line


OUTCOME_LABELS = {
    Outcome.UPHELD: "Upheld",
    Outcome.PARTLY_UPHELD: "Partly upheld",
    Outcome.NOT_UPHELD: "Not upheld",
    Outcome.RESOLVED: "Resolved locally",
    Outcome.WITHDRAWN: "Withdrawn",
    Outcome.NOT_CONSIDERED: "Not considered",
}
REMEDY_LABELS = {
    Remedy.APOLOGY: "An apology",
    Remedy.EXPLANATION: "An explanation",
    Remedy.SERVICE: "The service, meeting or decision that was missing",
    Remedy.PRACTICE: "A change to practice, policy or training",
    Remedy.FINANCIAL: "A payment",
    Remedy.OTHER: "Something else (say what below)",
}


@dataclass(frozen=True)
class PointRef:
    """A complaint point as a form needs it."""

    id: int
    position: int
    label: str
    held: bool = False
    theme: str | None = None
    service_area: str | None = None


@dataclass(frozen=True)
class Context:
    """What checking a move's fields may need to know about the case and the day."""

    today: date
    received_on: date
    points: tuple[PointRef, ...] = ()
    days_allowed: int = 0
    find_staff: Callable[[object], Any] = lambda raw: None
    earliest_pause: date | None = None  # see CaseState.earliest_pause
    late_since: date | None = None  # the first late day, when the case is late now
    panel_on: date | None = None
    themes: Mapping[str, str] = field(default_factory=dict)  # the council's lists (settings)
    service_areas: Mapping[str, str] = field(default_factory=dict)


# The theme a point's topic (from the conversation) suggests; staff change it at triage.
TOPIC_THEMES = {
    "social_worker": "communication",
    "home": "placement",
    "family": "contact_with_family",
    "leaving_care": "leaving_care_support",
    "carer_support": "level_of_provision",
    "money": "finance",
    "decision": "decision_or_policy",
    "treated": "staff_attitude",
    "adult_treated": "staff_attitude",
    "carer_approval": "assessments",
    "court_report": "assessments",
    "not_safe": "safeguarding",
}
# A point with this theme raises a data-breach alert to information governance.
WRONG_OR_SHARED_INFORMATION = "wrong_or_shared_information"


def suggested_theme(topic: str | None, themes: Mapping[str, str]) -> str | None:
    """The theme a topic suggests, if the council's list has it."""
    theme = TOPIC_THEMES.get(topic or "")
    return theme if theme in themes else None


Check = Callable[[Any, Context], str | None]


@dataclass(frozen=True)
class Field:
    """One thing a move asks for. `required` is the message shown when it is left empty."""

    name: str
    kind: Kind
    label: str
    required: str | None = None
    hint: str | None = None
    choices: Mapping[str, str] = field(default_factory=dict)
    limit: int = MAX_TEXT
    public: bool = False  # the complainant reads it (the label says so)
    note: bool = False  # stored as the event's note (shown on timelines) rather than its data
    checks: tuple[Check, ...] = ()
    when: Callable[[Any], bool] | None = None  # asked only on a case in a state where this holds

    @property
    def label_shown(self) -> str:
        return f"{self.label} (the complainant sees this)" if self.public else self.label


class Invalid(ValueError):
    """What the move was told is incomplete; `errors` maps each field to what to do."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --- Checks a field can add ----------------------------------------------------------------


def not_in_future(value: date, ctx: Context) -> str | None:
    return "The date cannot be in the future." if value > ctx.today else None


def not_before_receipt(value: date, ctx: Context) -> str | None:
    if value < ctx.received_on:
        return "The date cannot be before the complaint was received."
    return None


def not_in_past(value: date, ctx: Context) -> str | None:
    return "The date cannot be in the past." if value < ctx.today else None


def not_before_panel(value: date, ctx: Context) -> str | None:
    if ctx.panel_on is not None and value < ctx.panel_on:
        return "The report cannot be dated before the panel met."
    return None


def not_before_last_on_time(value: date, ctx: Context) -> str | None:
    """A pause cannot reach back past the moment the case was last on time."""
    if ctx.earliest_pause is None or value >= ctx.earliest_pause:
        return None
    if ctx.late_since is not None:
        return (
            f"This case has been late since {ctx.late_since:%-d %B %Y}. A pause can start "
            "today at the earliest, and it does not make the late days on time."
        )
    return (
        f"A pause cannot start before {ctx.earliest_pause:%-d %B %Y}, the last change "
        "recorded on this case."
    )


# The day a move happened: today unless staff say it was earlier. The timeline shows it.
ON = Field(
    "on",
    Kind.DATE,
    "Date this happened (leave empty for today)",
    checks=(not_in_future, not_before_receipt),
)


# --- Reading what was sent -----------------------------------------------------------------


def read(
    fields: Sequence[Field],
    inputs: Mapping[str, Any],
    ctx: Context,
    joined: Callable[[dict[str, Any]], dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Read and check every field, then the rules that join them (`joined`); raise Invalid
    with every problem at once."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for spec in fields:
        values[spec.name] = READERS[spec.kind](spec, inputs, ctx, errors)
        value = values[spec.name]
        if spec.name in errors:
            continue
        if spec.required and _empty(value):
            errors[spec.name] = spec.required
            continue
        for check in spec.checks if not _empty(value) else ():
            problem = check(value, ctx)
            if problem:
                errors[spec.name] = problem
                break
    if joined is not None:
        for name, problem in joined(values).items():
            errors.setdefault(name, problem)
    if errors:
        raise Invalid(errors)
    return values


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == () or value == {} or value is False


def _typed(inputs: Mapping[str, Any], name: str) -> str:
    value = inputs.get(name)
    return value if isinstance(value, str) else ""


def _read_text(spec: Field, inputs: Mapping[str, Any], ctx: Context, errors: dict) -> str:
    """Plain text; too long is a plain message, never a database error.

    Measured as typed (a browser sends each new line as two characters but counts one), so a
    box that allowed it is never refused for what cleaning does afterwards.
    """
    typed = _typed(inputs, spec.name)
    if len(typed.replace("\r\n", "\n")) > spec.limit:
        errors[spec.name] = f"That is too long. Write at most {spec.limit:,} characters."
    return plain_text(typed)[: spec.limit]


def _read_date(spec: Field, inputs: Mapping[str, Any], ctx: Context, errors: dict):
    raw = _typed(inputs, spec.name).strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[spec.name] = "Enter the date as a real date, for example 2026-11-23."
        return None


def _read_choice(spec: Field, inputs: Mapping[str, Any], ctx: Context, errors: dict):
    value = _typed(inputs, spec.name)
    if value and value not in spec.choices:
        errors[spec.name] = spec.required or "Choose one of the options."
    return value if value in spec.choices else None


def _read_confirm(spec: Field, inputs: Mapping[str, Any], ctx: Context, errors: dict) -> bool:
    return _typed(inputs, spec.name) == "yes"


def _read_days(spec: Field, inputs: Mapping[str, Any], ctx: Context, errors: dict):
    try:
        days = int(_typed(inputs, spec.name).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= ctx.days_allowed:
        errors[spec.name] = f"Enter a number of working days from 1 to {ctx.days_allowed}."
    return days


def _read_staff(spec: Field, inputs: Mapping[str, Any], ctx: Context, errors: dict):
    return ctx.find_staff(inputs.get(spec.name))


def _read_outcomes(spec: Field, inputs: Mapping[str, Any], ctx: Context, errors: dict):
    """{point id: (finding, remedies)} for every point that is not on hold."""
    found = {}
    for point in ctx.points:
        if point.held:
            continue
        value = _typed(inputs, f"outcome-{point.id}")
        if value not in FINDINGS:
            errors[f"outcome-{point.id}"] = f"Choose an outcome for point {point.position}."
            continue
        remedies = tuple(
            r for r in Remedy if _typed(inputs, f"remedy-{point.id}-{r.value}") == "yes"
        )
        if value in (Outcome.UPHELD, Outcome.PARTLY_UPHELD) and not remedies:
            errors[f"remedy-{point.id}"] = (
                f"Choose how the council will put point {point.position} right."
            )
        found[point.id] = (Outcome(value), remedies)
    if not ctx.points or all(p.held for p in ctx.points):
        errors[spec.name] = "Every point is on hold. Take a point off hold before replying."
    return found


def _read_points(spec: Field, inputs: Mapping[str, Any], ctx: Context, errors: dict):
    """Edit, split or remove points, and give each a theme and a service area; at least one
    point must stay."""
    keep = []
    sorted_as: dict[int, tuple[str | None, str | None]] = {}
    for point in ctx.points:
        if _typed(inputs, f"point-{point.id}-remove") == "yes":
            continue
        text_spec = Field(f"point-{point.id}-description", Kind.LONG_TEXT, "")
        keep.append((point.id, _read_text(text_spec, inputs, ctx, errors) or None))
        sorted_as[point.id] = (
            _read_listed(point, "theme", ctx.themes, inputs, errors),
            _read_listed(point, "service_area", ctx.service_areas, inputs, errors),
        )
    added = _read_text(Field("new-description", Kind.LONG_TEXT, ""), inputs, ctx, errors)
    if not keep and not added and "new-description" not in errors:
        errors["new-description"] = "A complaint needs at least one point."
    return {"keep": keep, "added": added, "sorted_as": sorted_as}


def _read_listed(
    point: PointRef, what: str, listed: Mapping[str, str], inputs: Mapping[str, Any], errors: dict
) -> str | None:
    """A point's theme or service area: one from the council's list, the one it has already
    (even if the list has changed since), or none yet."""
    name = f"point-{point.id}-{what}"
    now = getattr(point, what)
    if name not in inputs:
        return now  # not asked (an older form): left as it is
    value = _typed(inputs, name).strip()
    if not value or value in listed or value == now:
        return value or None
    words = "theme" if what == "theme" else "service area"
    errors[name] = f"Choose a {words} for point {point.position} from the list."
    return None


def _read_holds(spec: Field, inputs: Mapping[str, Any], ctx: Context, errors: dict):
    """The points ticked: {point id: True}. Staff tick the points to hold or to release."""
    chosen = {p.id: True for p in ctx.points if _typed(inputs, f"hold-{p.id}") == "yes"}
    return chosen or {}


def _read_names(spec: Field, inputs: Mapping[str, Any], ctx: Context, errors: dict):
    text = _read_text(spec, inputs, ctx, errors)
    names = tuple(n.strip() for n in text.splitlines() if n.strip())
    if any(len(n) > MAX_NAME for n in names):
        errors[spec.name] = f"Write each name on its own line, at most {MAX_NAME} characters."
    return names


READERS: dict[Kind, Callable[[Field, Mapping[str, Any], Context, dict], Any]] = {
    Kind.TEXT: _read_text,
    Kind.LONG_TEXT: _read_text,
    Kind.DATE: _read_date,
    Kind.CHOICE: _read_choice,
    Kind.CONFIRM: _read_confirm,
    Kind.DAYS: _read_days,
    Kind.STAFF: _read_staff,
    Kind.OUTCOMES: _read_outcomes,
    Kind.POINTS: _read_points,
    Kind.HOLDS: _read_holds,
    Kind.NAMES: _read_names,
}
