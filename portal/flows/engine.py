"""Walks a journey: which steps show, what comes next, and how far along someone is.

Pure functions of (journey, answers): no Flask, no database, so routing is tested with tables.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from portal.flows.model import (
    CHOICE_KINDS,
    SINGLE_KINDS,
    TEXT_KINDS,
    Go,
    Journey,
    Kind,
    Step,
    say,
)
from portal.types import Voice

Answers = Mapping[str, Any]

# Each step's place in its journey and where it leads by default (its `next`, or the step
# declared after it), by id, worked out once per journey: `Journey.following` would look the
# step up with `tuple.index`, comparing whole dataclasses field by field on every hop.
_ROUTES: dict[int, tuple[tuple[Step, ...], dict[str, Step | None], dict[str, Step | None]]] = {}


def _routes(journey: Journey) -> tuple[dict[str, Step | None], dict[str, Step | None]]:
    """(the step declared after each, where each leads by default), by step id."""
    found = _ROUTES.get(id(journey))
    if found is None or found[0] is not journey.steps:
        steps = journey.steps
        following = {
            s.id: (steps[i + 1] if i + 1 < len(steps) else None) for i, s in enumerate(steps)
        }
        defaults = {s.id: _target(journey, following, s, s.next) for s in steps}
        found = _ROUTES[id(journey)] = (steps, following, defaults)
    return found[1], found[2]


def _target(
    journey: Journey, following: dict[str, Step | None], step: Step, target: str
) -> Step | None:
    if target == Go.END:
        return None
    if target == Go.FOLLOWING:
        return following[step.id]
    return journey.get(target)


def destination(journey: Journey, step: Step, answer: Any) -> Step | None:
    """Return the step an answer leads to, or None for the end of the journey."""
    return _destination(journey, *_routes(journey), step, answer)


def _destination(
    journey: Journey,
    following: dict[str, Step | None],
    defaults: dict[str, Step | None],
    step: Step,
    answer: Any,
) -> Step | None:
    if answer is not None and step.kind in SINGLE_KINDS:
        choice = step.choice(answer)
        if choice is not None and choice.next:
            return _target(journey, following, step, choice.next)
    return defaults[step.id]


def path(journey: Journey, answers: Answers) -> list[Step]:
    """Return the steps this person will see, in order, given the answers so far.

    Past the first unanswered step the walk follows each step's default route, which gives
    the best guess of what is still to come.
    """
    return list(walk(journey, answers).steps)


def _walk_steps(journey: Journey, answers: Answers, state: Any) -> dict[str, tuple[Step, bool]]:
    """The steps shown, in order, by id, each with whether its answer is valid."""
    following, defaults = _routes(journey)  # once for the walk, not at every step
    shown: dict[str, tuple[Step, bool]] = {}
    seen: set[str] = set()
    step: Step | None = journey.first
    while step is not None and step.id not in seen:
        seen.add(step.id)
        if step.show_if is not None and not step.show_if(state):
            step = defaults[step.id]  # where it leads with no answer
            continue
        answer = answers.get(step.id)
        valid = is_valid(step, answer, state)
        shown[step.id] = (step, valid)
        step = _destination(journey, following, defaults, step, answer if valid else None)
    return shown


def is_valid(step: Step, answer: Any, state: Any = None) -> bool:
    """Say whether a stored answer still fits its step (flows change; stored drafts do not).

    With the person's state, choices that are not offered to them do not count.
    """
    if answer is None:
        return False
    if step.kind in CHOICE_KINDS:
        values = step.values if state is None else step.values_for(state)
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


@dataclass(frozen=True)
class Progress:
    number: int
    total: int


class Walk:
    """One person's way through a journey, worked out once: a request asks it everything."""

    def __init__(self, journey: Journey, answers: Answers) -> None:
        self.journey = journey
        self.answers = answers
        self.state = journey.state(answers)
        shown = _walk_steps(journey, answers, self.state)
        self.steps = tuple(step for step, _ in shown.values())
        self._index = {step_id: i for i, step_id in enumerate(shown)}
        # Whether each step's answer is valid, worked out once on the walk (the walk needs it
        # to find its way; the page asks it again for every step before this one).
        self._valid = {step_id: valid for step_id, (_, valid) in shown.items()}
        # What pages work out from this walk alone (with the language, say), by their own
        # keys: a walk over choices only is kept (`walk`), and what it knows with it.
        self.known: dict[tuple, Any] = {}

    def valid(self, step: Step) -> bool:
        found = self._valid.get(step.id)
        if found is None or self.steps[self._index[step.id]] is not step:
            return is_valid(step, self.answers.get(step.id), self.state)
        return found

    @cached_property
    def current(self) -> Step | None:
        """The first step still waiting for an answer, or None when all are done."""
        return next((s for s in self.steps if not self.valid(s)), None)

    def is_reachable(self, step_id: str) -> bool:
        """Say whether this step may be opened now: on the path, and all before it answered."""
        if step_id not in self._index:
            return False
        return all(self.valid(s) for s in self.steps[: self._index[step_id]])

    def after(self, step_id: str) -> Step | None:
        if step_id not in self._index:
            return self.current
        index = self._index[step_id] + 1
        return self.steps[index] if index < len(self.steps) else None

    def before(self, step_id: str) -> Step | None:
        index = self._index.get(step_id, 0)
        return self.steps[index - 1] if index > 0 else None

    def progress(self, step_id: str) -> Progress:
        """Return 'question N of M': M counts the questions on the path this person is on."""
        number = self._index[step_id] + 1 if step_id in self._index else len(self.steps)
        return Progress(number=number, total=len(self.steps))

    def answered(self) -> list[tuple[Step, Any]]:
        """Each step on the path with its answer; answers to steps now skipped are left out."""
        return [(s, self.answers[s.id]) for s in self.steps if self.valid(s)]

    def still_to_come(self, step_id: str) -> tuple[Step, ...]:
        """This step and every step after it on the path."""
        return self.steps[self._index.get(step_id, 0) :]


# Walks over answers that are all choices, kept: the same for everyone who chose the same, and
# a question page works one out, an answer two (before it and after). Anything typed (a box, a
# date) is never part of a key, so those walks are made each time. Cleared when full.
_WALKS: dict[tuple, Walk] = {}
WALKS_KEPT = 512


def _chosen_only(journey: Journey, answers: Answers) -> tuple | None:
    """The answers as a key, when each one answers a question with choices; else None."""
    key: list = [id(journey)]
    for step_id, value in answers.items():
        step = journey.get(step_id)
        if step is None or step.kind not in CHOICE_KINDS:
            return None
        if isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                return None
            value = tuple(value)
        elif not isinstance(value, str):
            return None
        key.append((step_id, value))
    return tuple(key)


def walk(journey: Journey, answers: Answers) -> Walk:
    """Work out a person's path once, for everything a page needs to know about it."""
    key = _chosen_only(journey, answers)
    if key is None:
        return Walk(journey, answers)
    found = _WALKS.get(key)
    if found is None or found.journey is not journey:
        if len(_WALKS) >= WALKS_KEPT:
            _WALKS.clear()
        # Its own copy of the answers: a walk that is kept is shared, so nobody's dict is in it.
        kept = {k: list(v) if isinstance(v, list) else v for k, v in answers.items()}
        found = _WALKS[key] = Walk(journey, kept)
    return found


def current_step(journey: Journey, answers: Answers) -> Step | None:
    """Return the first step on the path still waiting for an answer, or None when all are done."""
    return walk(journey, answers).current


def is_reachable(journey: Journey, answers: Answers, step_id: str) -> bool:
    """Say whether this step may be opened now: it is on the path and all before it answered."""
    return walk(journey, answers).is_reachable(step_id)


def step_after(journey: Journey, answers: Answers, step_id: str) -> Step | None:
    """Return the step that follows `step_id` on the path, or None if it is the last."""
    return walk(journey, answers).after(step_id)


def step_before(journey: Journey, answers: Answers, step_id: str) -> Step | None:
    """Return the step before `step_id` on the path, or None if it is the first."""
    return walk(journey, answers).before(step_id)


def progress(journey: Journey, answers: Answers, step_id: str) -> Progress:
    """Return 'question N of M' for a step."""
    return walk(journey, answers).progress(step_id)


def answered_path(journey: Journey, answers: Answers) -> list[tuple[Step, Any]]:
    """Return each step on the path with its answer; answers to steps now skipped are left out."""
    return walk(journey, answers).answered()


def summary(journey: Journey, answers: Answers) -> list[tuple[Step, Any]]:
    """Return the answers worth showing back to the person (and to staff), in path order."""
    return [(s, v) for s, v in answered_path(journey, answers) if _is_an_answer(s, v)]


def _is_an_answer(step: Step, value: Any) -> bool:
    choice = step.choice(value) if isinstance(value, str) else None
    return choice is None or choice.is_an_answer


def is_complete(journey: Journey, answers: Answers) -> bool:
    """Say whether every step on the path has a valid answer."""
    return current_step(journey, answers) is None


# How long the questions take, from the words on them. A child with a reading age of 9 reads
# about 100 words a minute (Hasbrouck & Tindal's 2017 oral reading fluency norms put the middle
# of Year 4 at 112; on a phone, about something that upset them, we allow less). Answering
# takes time too: a tap, a few words typed, or the story itself; a box that may be skipped is
# read and often left empty. The young person's path comes to 9 minutes in English, within the
# 8 to 11 minutes measured when children's journeys were timed.
CHILD_WORDS_PER_MINUTE = 100
ANSWER_SECONDS: dict[Kind, int] = {
    Kind.SINGLE: 6,
    Kind.YES_NO: 5,
    Kind.MULTI: 12,
    Kind.SIGNPOST: 10,
    Kind.DATE: 20,
    Kind.SHORT_TEXT: 20,
    Kind.LONG_TEXT: 120,
}
SKIPPABLE_BOX_SECONDS = 15


def answer_seconds(step: Step) -> int:
    """Return the seconds a child takes to answer a step, once it is read."""
    if step.kind in TEXT_KINDS and not step.required:
        return SKIPPABLE_BOX_SECONDS
    return ANSWER_SECONDS[step.kind]


def words_on(step: Step, voice: Voice, state: Any = None) -> list[str]:
    """Return the words a person reads on a step: its question, hints, examples and choices.

    Wording is translated when it is turned into text, so this counts the page's language.
    """
    choices = step.choices if state is None else step.choices_for(state)
    parts: Iterable[Any] = (
        step.prompt,
        step.hint,
        step.why,
        *step.examples,
        *(c.label for c in choices),
        *(c.hint for c in choices),
    )
    text = " ".join(str(say(part, voice)) for part in parts if part is not None)
    return text.split()


def minutes_for(steps: Iterable[Step], voice: Voice, state: Any = None) -> int:
    """Return the whole minutes it takes a child to read and answer these steps (at least 1)."""
    seconds = 0.0
    for step in steps:
        seconds += len(words_on(step, voice, state)) * 60 / CHILD_WORDS_PER_MINUTE
        seconds += answer_seconds(step)
    return max(1, math.ceil(seconds / 60))
