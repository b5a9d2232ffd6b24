"""Words a council can set, with a default in every language for when it has not."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask import current_app
from flask_babel import force_locale

# Translated like every `_l` string, by portal/i18n.py's gettext (the catalogue found once).
from portal.translatable import _l

DEFAULTS = {
    "COUNCIL_NAME": _l("your council"),
    "ADVOCACY_SERVICE_NAME": _l("the local advocacy service"),
    "SIGNPOST_SCHOOL": _l("Ask the school office how to complain."),
    # Complaints routes, not help lines: the police force's professional standards department
    # (and the IOPC above it), and the NHS complaints process (PALS is its front door).
    "SIGNPOST_POLICE": _l(
        "To complain about the police, ask the police force for its professional standards "
        "team. They look at complaints. Still not happy? Ask the IOPC (Independent Office for "
        "Police Conduct). They check on the police."
    ),
    "SIGNPOST_HEALTH": _l(
        "To complain about a doctor, nurse or hospital, use the NHS complaints process. Ask "
        "them how to complain. At a hospital, PALS, the patient help team, can help you."
    ),
    "SIGNPOST_COURT": _l("Talk to your lawyer. Or talk to your Cafcass worker, if you have one."),
    "SIGNPOST_CHILD_PROTECTION": _l(
        "Ask the person who led the child protection meeting. They can tell you what to do."
    ),
}


def setting(name: str) -> str:
    """The council's own words for `name`, or the default in the page's language."""
    value = current_app.config.get(name)
    if value:
        return value
    return str(DEFAULTS[name]) if name in DEFAULTS else ""


class _Settings(Mapping[str, Any]):
    """The app's settings, with each wording setting filled in when it is read: an
    explanation reads one or two of them, so none is copied or translated in advance."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._config = config

    def __getitem__(self, name: str) -> Any:
        if name in DEFAULTS:
            return setting(name)
        return self._config[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._config
        yield from (name for name in DEFAULTS if name not in self._config)

    def __len__(self) -> int:
        return len(self._config.keys() | DEFAULTS.keys())


def settings() -> Mapping[str, Any]:
    """The app's settings with every wording setting filled in, for the rules' explanations."""
    return _Settings(current_app.config)


def setting_in_english(name: str) -> str:
    """For records staff read (for example the advocacy referral), always in English."""
    with force_locale("en"):
        return setting(name)
