"""The one boundary every word a complainant types passes through: cleaned, then screened.

Forms never store raw text: their free-text fields hand back `Screened` values, made only
here, so a new form cannot store words that were not cleaned or checked for signs of harm.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.safety.matcher import matching_lists
from portal.text import plain_text


@dataclass(frozen=True)
class Screened:
    """Text as it will be stored, and the safety lists it matched (never the words)."""

    text: str
    risks: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.text


def screen(raw: object) -> Screened:
    """Clean free text (no markup, no control characters) and check it for words about harm."""
    text = plain_text(raw if isinstance(raw, str) else "")
    return Screened(text, tuple(matching_lists(text)))
