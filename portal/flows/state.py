"""Typed views of the answers, so rules and templates never dig in raw dicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.types import Voice


@dataclass(frozen=True)
class ComplaintState:
    answers: Mapping[str, Any]

    def _one(self, step_id: str) -> str | None:
        value = self.answers.get(step_id)
        return value if isinstance(value, str) else None

    def _many(self, step_id: str) -> list[str]:
        value = self.answers.get(step_id)
        return list(value) if isinstance(value, list) else []

    @property
    def role(self) -> str | None:
        return self._one("who")

    @property
    def is_about_self(self) -> bool:
        """The young person is speaking for themselves (the default until they say otherwise)."""
        return self.role in (None, "self")

    @property
    def voice(self) -> Voice:
        return Voice.SELF if self.is_about_self else Voice.OTHER

    @property
    def age_group(self) -> str | None:
        return self._one("age")

    @property
    def topics(self) -> list[str]:
        return self._many("topics")

    @property
    def has_other_topic(self) -> bool:
        return "other" in self.topics

    @property
    def wants_advocate(self) -> bool:
        return "yes" in (self._one("advocate"), self._one("advocate_more"))

    @property
    def contact_method(self) -> str | None:
        return self._one("contact")

    @property
    def contact_email(self) -> str | None:
        return self._one("email") if self.contact_method == "email" else None

    @property
    def contact_phone(self) -> str | None:
        return self._one("phone") if self.contact_method == "text" else None
