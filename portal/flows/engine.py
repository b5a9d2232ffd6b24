"""Walks a journey: which steps show, what comes next, and how far along someone is.

Pure functions of (journey, answers): no Flask, no database, so routing is tested with tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.flows.model import CHOICE_KINDS, SINGLE_KINDS, TEXT_KINDS, Go, Journey, Kind, Step

Answers = Mapping[str, Any]


def destination(journey: Journey, step: Step, answer: Any) -> Step | None:
    """Return the step an answer leads to, or None for the end of the journey."""
    target = step.next
    if answer is not None and step.kind in SINGLE_KINDS:
        choice = step.choice(answer)
        if choice is not None and choice.next:
            target = choice.next
    if target == Go.END:
        return None
    if target == Go.FOLLOWING:
        return journey.following(step)
    return journey.get(target)


def path(journey: Journey, answers: Answers) -> list[Step]:
    """Return the steps this person will see, in order, given the answers so far.

    Past the first unanswered step the walk follows each step's default route, which gives
    the best guess of what is still to come.
    """
    state = journey.state(answers)
    shown: list[Step] = []
    seen: set[str] = set()
    step: Step | None = journey.first
    while step is not None and step.id not in seen:
        seen.add(step.id)
        if step.show_if is not None and not step.show_if(state):
            step = destination(journey, step, None)
            continue
        shown.append(step)
        answer = answers.get(step.id)
        step = destination(journey, step, answer if is_valid(step, answer, state) else None)
    return shown


def is_valid(step: Step, answer: Any, state: Any = None) -> bool:
    """Say whether a stored answer still fits its step (flows change; stored drafts do not).

    With the person's state, choices that are not offered to them do not count.
    """
    if answer is None:
        return False
    if step.kind in CHOICE_KINDS:
        offered = step.choices if state is None else step.choices_for(state)
        values = {c.value for c in offered}
        if step.kind == Kind.MULTI:
            return (
                isinstance(answer, list)
                and set(answer) <= values
                and (bool(answer) or not step.required)
            )
        return answer in values
    if not isinstance(answer, str):
        return False
    if step.kind in TEXT_KINDS:
        too_long = step.max_length is not None and len(answer) > step.max_length
        return not too_long and (bool(answer) or not step.required)
    return bool(answer) or not step.required  # Kind.DATE: an ISO date, checked on entry


def current_step(journey: Journey, answers: Answers) -> Step | None:
    """Return the first step on the path still waiting for an answer, or None when all are done."""
    state = journey.state(answers)
    return next(
        (s for s in path(journey, answers) if not is_valid(s, answers.get(s.id), state)), None
    )


def is_reachable(journey: Journey, answers: Answers, step_id: str) -> bool:
    """Say whether this step may be opened now: it is on the path and all before it answered."""
    state = journey.state(answers)
    for step in path(journey, answers):
        if step.id == step_id:
            return True
        if not is_valid(step, answers.get(step.id), state):
            return False
    return False


def step_after(journey: Journey, answers: Answers, step_id: str) -> Step | None:
    """Return the step that follows `step_id` on the path, or None if it is the last."""
    steps = path(journey, answers)
    ids = [s.id for s in steps]
    if step_id not in ids:
        return current_step(journey, answers)
    index = ids.index(step_id)
    return steps[index + 1] if index + 1 < len(steps) else None


def step_before(journey: Journey, answers: Answers, step_id: str) -> Step | None:
    """Return the step before `step_id` on the path, or None if it is the first."""
    steps = path(journey, answers)
    ids = [s.id for s in steps]
    if step_id not in ids or ids.index(step_id) == 0:
        return None
    return steps[ids.index(step_id) - 1]


@dataclass(frozen=True)
class Progress:
    number: int
    total: int


def progress(journey: Journey, answers: Answers, step_id: str) -> Progress:
    """Return 'question N of about M' for a step."""
    ids = [s.id for s in path(journey, answers)]
    number = ids.index(step_id) + 1 if step_id in ids else len(ids)
    return Progress(number=number, total=len(ids))


def answered_path(journey: Journey, answers: Answers) -> list[tuple[Step, Any]]:
    """Return each step on the path with its answer; answers to steps now skipped are left out."""
    state = journey.state(answers)
    return [
        (s, answers[s.id]) for s in path(journey, answers) if is_valid(s, answers.get(s.id), state)
    ]


def summary(journey: Journey, answers: Answers) -> list[tuple[Step, Any]]:
    """Return the answers worth showing back to the person (and to staff), in path order."""
    return [(s, v) for s, v in answered_path(journey, answers) if _is_an_answer(s, v)]


def _is_an_answer(step: Step, value: Any) -> bool:
    choice = step.choice(value) if isinstance(value, str) else None
    return choice is None or choice.is_an_answer


def is_complete(journey: Journey, answers: Answers) -> bool:
    """Say whether every step on the path has a valid answer."""
    return current_step(journey, answers) is None
