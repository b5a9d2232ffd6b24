"""Typed views of the answers, so rules and templates never dig in raw dicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from portal.types import Role, Voice

SELF_STATUS_ROLES = {
    "looked_after": Role.LOOKED_AFTER_CHILD,
    "child_in_need": Role.CHILD_IN_NEED,
    "care_leaver": Role.CARE_LEAVER,
    "special_guardianship": Role.SGO_CHILD,
    "adoption": Role.ADOPTION_CHILD,
    "not_sure": Role.YOUNG_PERSON_UNSURE,
}
ADULT_ROLES = {
    "parent": Role.PARENT,
    "foster_carer": Role.FOSTER_CARER,
    "special_guardian": Role.SPECIAL_GUARDIAN,
    "sgo_parent": Role.SGO_PARENT,
    "adopter": Role.ADOPTER,
    "birth_parent": Role.BIRTH_PARENT,
}
OTHER_ROLES = {
    "relative": Role.RELATIVE_OR_FRIEND,
    "professional": Role.PROFESSIONAL,
    "adopted_adult": Role.ADOPTED_ADULT,
    "other": Role.OTHER,
}
# Carers who may complain about the help they get themselves, not only for a child: fostering,
# special guardianship and adoption support are services to them too (s26(3), regs 4-5).
CARER_ROLES = frozenset({Role.FOSTER_CARER, Role.SPECIAL_GUARDIAN, Role.ADOPTER})
# Topics that belong somewhere other than the council's complaints procedures.
ELSEWHERE_TOPICS = frozenset({"school", "police", "health", "court_decision", "child_protection"})


@dataclass(frozen=True)
class ComplaintState:
    """The answers as they stand when the state is made (a walk makes one and asks it about
    each step: who is speaking and their role are worked out once, not at every step)."""

    answers: Mapping[str, Any]

    def _one(self, step_id: str) -> str | None:
        value = self.answers.get(step_id)
        return value if isinstance(value, str) else None

    def _many(self, step_id: str) -> list[str]:
        value = self.answers.get(step_id)
        return list(value) if isinstance(value, list) else []

    @cached_property
    def who(self) -> str | None:
        return self._one("who")

    @cached_property
    def role(self) -> Role | None:
        """The complainant's role, once the questions that settle it are answered."""
        fixed = {"young_helper": Role.YOUNG_HELPER, "advocate": Role.ADVOCATE}
        if self.who in fixed:
            return fixed[self.who]
        table, step = {
            "self": (SELF_STATUS_ROLES, "self_status"),
            "parent_carer": (ADULT_ROLES, "adult_role"),
            "someone_else": (OTHER_ROLES, "other_role"),
        }.get(self.who, ({}, ""))
        return table.get(self._one(step) or "")

    @property
    def is_about_self(self) -> bool:
        """The person is speaking about themselves (the default until they say otherwise)."""
        return self.who in (None, "self") or self.role == Role.ADOPTED_ADULT

    @property
    def is_young_person(self) -> bool:
        return self.who in (None, "self", "young_helper")

    @property
    def is_advocate(self) -> bool:
        return self.who == "advocate"

    @property
    def is_adult_carer(self) -> bool:
        return self.who == "parent_carer"

    @property
    def voice(self) -> Voice:
        if self.is_about_self:
            return Voice.SELF
        return Voice.HELPER if self.who == "young_helper" else Voice.OTHER

    @property
    def is_carer(self) -> bool:
        """A foster carer, special guardian or adopter (or someone who wants to adopt)."""
        return self.who == "parent_carer" and self.role in CARER_ROLES

    @property
    def complaint_for(self) -> str | None:
        """For a carer: "child" (a child they look after), "myself" or "no_child_yet"."""
        return self._one("complaint_for") if self.is_carer else None

    @property
    def is_carers_own(self) -> bool:
        """A carer complaining for themselves: about the help they get, or their approval."""
        return self.complaint_for in ("myself", "no_child_yet")

    @property
    def no_child_placed(self) -> bool:
        """Someone who wants to adopt, with no child living with them yet."""
        return self.complaint_for == "no_child_yet"

    @property
    def speaks_for_a_child(self) -> bool:
        """Someone other than the young person raises this for them (consent questions apply)."""
        return not self.is_about_self and not self.is_carers_own

    @property
    def has_a_young_person(self) -> bool:
        """There is a young person this is about: their age and an advocate are asked about."""
        return not self.is_carers_own

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
    def elsewhere(self) -> list[str]:
        """The places someone picked that usually have their own complaints process."""
        return self._many("elsewhere") if "elsewhere" in self.topics else []

    @property
    def feels_unsafe(self) -> bool:
        return "not_safe" in self.topics

    @property
    def needs_signpost(self) -> bool:
        return bool(self.elsewhere) or self.feels_unsafe

    @property
    def when(self) -> str | None:
        return self._one("when")

    @property
    def legal_proceedings(self) -> str | None:
        return self._one("court_police")

    @property
    def consent(self) -> str | None:
        return self._one("consent")

    @property
    def parental_responsibility(self) -> str | None:
        return self._one("parental_responsibility")

    @property
    def asks_about_parental_responsibility(self) -> bool:
        return self.role in (
            Role.PARENT,
            Role.SGO_PARENT,
            Role.BIRTH_PARENT,
            Role.RELATIVE_OR_FRIEND,
        )

    @property
    def child_asked(self) -> str | None:
        """An advocate's answer: did the young person ask them to complain?"""
        return self._one("child_asked") if self.is_advocate else None

    @property
    def child_could_say(self) -> bool:
        """An advocate heard what the young person thinks (they asked, or they do not agree)."""
        return self.child_asked in ("yes", "disagrees")

    @property
    def cannot_say(self) -> bool:
        """The young person is too young, or not able, to say what they think."""
        if self.is_advocate:
            return self.child_asked == "cannot_say"
        return self.speaks_for_a_child and self.consent == "too_young"

    @property
    def asks_how_view_was_sought(self) -> bool:
        """An adult says the young person cannot say: we ask how they tried to hear them."""
        return self.cannot_say and not self.is_young_person

    @property
    def outcomes(self) -> list[str]:
        return self._many("outcome")

    @property
    def advocate_answer(self) -> str | None:
        more = self._one("advocate_more")
        answer = self._one("advocate")
        return more if answer == "more" else answer

    @property
    def wants_advocate(self) -> bool:
        return self.advocate_answer == "yes"

    @property
    def contact_method(self) -> str | None:
        if self.is_advocate:
            return "advocate"
        return self._one("contact")

    @property
    def contact_email(self) -> str | None:
        return self._one("email") if self.contact_method == "email" else None

    @property
    def contact_phone(self) -> str | None:
        return self._one("phone") if self.contact_method == "text" else None

    @property
    def gives_an_address(self) -> bool:
        """They gave their own email address or mobile number for messages."""
        return self.contact_method in ("email", "text")

    @property
    def contact_safe(self) -> bool | None:
        """Their answer to "Is it safe for messages to come to this phone or email?" (None:
        no address of their own was given, or not answered yet). Only a yes lets us send."""
        answer = self._one("contact_safe") if self.gives_an_address else None
        return None if answer is None else answer == "yes"
