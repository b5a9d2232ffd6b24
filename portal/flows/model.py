"""The building blocks of a journey: steps and choices, declared as data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from portal.types import Voice

# A piece of copy: one text, or a text per voice ("about me" / "about a young person").
Worded = Any


class Kind(StrEnum):
    SINGLE = "single"
    MULTI = "multi"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    DATE = "date"
    YES_NO = "yes_no"
    # Says where else to go, with one choice: carry on and send it to the council anyway.
    SIGNPOST = "signpost"


TEXT_KINDS = frozenset({Kind.SHORT_TEXT, Kind.LONG_TEXT})
CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTI, Kind.YES_NO, Kind.SIGNPOST})
SINGLE_KINDS = frozenset({Kind.SINGLE, Kind.YES_NO, Kind.SIGNPOST})


# Phone numbers get a phone keypad and email addresses an email keyboard; both can be filled in
# by the browser. Other short answers are the person's own words: nothing is filled in for them.
INPUT_KINDS: dict[str, dict[str, str]] = {
    "email": {"type": "email", "autocomplete": "email", "spellcheck": "false"},
    "uk_mobile": {"type": "tel", "autocomplete": "tel"},
    "uk_phone": {"type": "tel", "autocomplete": "tel"},
}


class Go(StrEnum):
    """Special destinations for `next`."""

    FOLLOWING = "<following>"  # the step declared after this one
    END = "<end>"  # check your answers


FALLBACK = {
    Voice.HELPER: (Voice.HELPER, Voice.OTHER, Voice.SELF),
    Voice.OTHER: (Voice.OTHER, Voice.SELF),
    Voice.SELF: (Voice.SELF,),
}


def say(worded: Worded, voice: Voice) -> Any:
    """Pick the wording for a voice (HELPER falls back to OTHER, OTHER to SELF)."""
    if isinstance(worded, Mapping):
        # Copy for one audience only (say, consent questions) falls back to what there is.
        # (`is None`, not `or`: asking a lazy text if it is empty would translate it.)
        found = next((worded[v] for v in FALLBACK[voice] if v in worded), None)
        return found if found is not None else next(iter(worded.values()))
    return worded


@dataclass(frozen=True)
class Choice:
    value: str
    label: Worded
    hint: Worded | None = None
    icon: str | None = None
    next: str | None = None  # where this answer leads, if not to the step's own `next`
    # False for answers like "tell me more" that only lead to a follow-up question, whose
    # answer is the real one: the summary then shows the follow-up alone.
    is_an_answer: bool = True
    show_if: Callable[[Any], bool] | None = None  # offered only when this holds for the state


@dataclass(frozen=True)
class Step:
    id: str
    kind: Kind
    prompt: Worded
    hint: Worded | None = None
    examples: tuple[Worded, ...] = ()
    why: Worded | None = None  # why we ask: said at the point of asking (ICO Children's Code)
    summary: Worded | None = None  # short label on the check-your-answers page
    choices: tuple[Choice, ...] = ()
    required: bool = True
    max_length: int | None = None
    check: str | None = None  # a named format check such as "email" or "uk_mobile"
    # What a browser may fill in (HTML autocomplete), when not the usual one for the check:
    # "work email" and "work tel" for an advocate's work details.
    autocomplete: str | None = None
    errors: Mapping[str, Worded] = field(default_factory=dict)
    next: str = Go.FOLLOWING
    show_if: Callable[[Any], bool] | None = None
    # The writer's own details (their name, work email): the privacy warning waits for the
    # first box where they write about what happened, or about a young person.
    about_the_writer: bool = False

    @property
    def input_attributes(self) -> dict[str, str]:
        """Return the HTML attributes of a one-line answer box: the right keyboard and autofill."""
        kind = INPUT_KINDS.get(self.check or "", {"autocomplete": "off"})
        return {**kind, **({"autocomplete": self.autocomplete} if self.autocomplete else {})}

    # Looked up on every hop of every walk (a page walks the path once or twice): worked out
    # once per step, as steps never change once declared.
    @cached_property
    def _by_value(self) -> dict[str, Choice]:
        return {c.value: c for c in self.choices}

    @cached_property
    def offered_to_everyone(self) -> bool:
        """Whether every choice is offered whoever is answering (none depends on answers)."""
        return all(c.show_if is None for c in self.choices)

    @cached_property
    def values(self) -> frozenset[str]:
        """Every choice's value, whoever is answering."""
        return frozenset(self._by_value)

    def choice(self, value: str) -> Choice | None:
        return self._by_value.get(value) if isinstance(value, str) else None

    def choices_for(self, state: Any) -> tuple[Choice, ...]:
        """Return the choices offered to this person."""
        if self.offered_to_everyone:
            return self.choices
        return tuple(c for c in self.choices if c.show_if is None or c.show_if(state))

    def values_for(self, state: Any) -> frozenset[str]:
        """Return the values of the choices offered to this person."""
        if self.offered_to_everyone:
            return self.values
        return frozenset(c.value for c in self.choices_for(state))


@dataclass(frozen=True)
class Journey:
    id: str
    steps: tuple[Step, ...]
    state: Callable[[Mapping[str, Any]], Any]  # builds the typed state from raw answers

    def __post_init__(self) -> None:
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError(f"journey {self.id} repeats a step id")
        targets = {s.next for s in self.steps} | {
            c.next for s in self.steps for c in s.choices if c.next
        }
        unknown = targets - set(ids) - set(Go)
        if unknown:
            raise ValueError(f"journey {self.id} leads to unknown steps: {sorted(unknown)}")

    @property
    def first(self) -> Step:
        return self.steps[0]

    @cached_property
    def _by_id(self) -> dict[str, Step]:
        return {s.id: s for s in self.steps}

    def get(self, step_id: str) -> Step | None:
        return self._by_id.get(step_id)

    def following(self, step: Step) -> Step | None:
        index = self.steps.index(step)
        return self.steps[index + 1] if index + 1 < len(self.steps) else None
