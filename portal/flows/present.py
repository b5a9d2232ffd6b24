"""Turn stored answers back into the words the person picked or wrote."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from portal.flows.model import CHOICE_KINDS, Kind, Step, say
from portal.types import Voice


class Exchange(NamedTuple):
    """One earlier question in the conversation, as the transcript shows it (a named tuple:
    templates read its fields as attributes, at once, where a dict's keys are found only after
    an attribute lookup fails)."""

    question: Any
    answer: list[Any]
    said: list[str]


def describe(step: Step, value: Any, voice: Voice) -> list[Any]:
    """Return the answer as a list of lines (empty when an optional question was skipped)."""
    if step.kind in CHOICE_KINDS:
        values = value if isinstance(value, list) else [value]
        return [say(c.label, voice) for c in step.choices if c.value in values]
    if step.kind == Kind.DATE:
        return [date.fromisoformat(value)] if value else []
    return [value] if value else []


def summary_label(step: Step, voice: Voice) -> Any:
    """Return the short label a step has on check-your-answers and 'what I told you'."""
    return say(step.summary if step.summary is not None else step.prompt, voice)


def topic_label(journey_steps: Any, topic: str, voice: Voice) -> Any:
    """Return the words for a complaint point's topic, from the step that offered it."""
    for step in journey_steps:
        choice = step.choice(topic) if step.id in ("topics", "elsewhere") else None
        if choice is not None:
            return say(choice.label, voice)
    return topic
