"""Compliments and comments: "Say thank you or share an idea", and what staff do with them.

No statutory clock. A compliment names the person or team thanked and is counted by team in the
annual report (`team`, a key of the council's SERVICE_AREAS, set by staff). A comment or idea is
recorded and answered. They arrive two ways:

- the public conversation (portal/views/feedback.py, the journey below): answers are saved in a
  `draft` row as they are given (journey "feedback"), and sending turns the draft into one
  `feedback` row with one conditional UPDATE, so a double submit or two tabs record it once;
- staff, for a card, email, call, letter or visit (staff/feedback_views.py).

Words pass the one boundary: cleaned (`portal.text.plain_text`) and screened for harm. Words
about harm mark the row (`safety_flag`), put it first on the staff list until someone opens it,
and queue one content-free alert to the duty team in the same transaction, as an urgent
complaint does.

An answer is audited. When they left a way to reach them it is queued in the outbox, in the
language they wrote in: by email, the answer itself under a neutral subject; by phone, staff
call them, and a mobile gets a neutral text that says only that we have an answer and will
call (a text may be read by anyone holding the phone, and says nothing of what they wrote).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import String, cast, exists, func, literal, select, update
from sqlalchemy.exc import IntegrityError

from portal import wording
from portal.clock import LONDON, local_date, now_utc, today_local
from portal.contact import normal_email, normal_mobile
from portal.extensions import db
from portal.flows import engine
from portal.flows.model import Choice, Journey, Kind, Step
from portal.links import staff_url
from portal.models import AuditEntry, Draft, Feedback, OutboxMessage
from portal.notifications import (
    FEEDBACK_ANSWER,
    FEEDBACK_ANSWER_TEXT,
    FEEDBACK_SAFETY_AGAIN,
    FEEDBACK_SAFETY_ALERT,
    For,
    feedback_answer,
    notice,
)
from portal.outbox.schedule import job
from portal.safety.matcher import matching_lists
from portal.services.safety import SEND_AGAIN_WITHIN, send_again_due
from portal.services.staff import audit
from portal.text import plain_text
from portal.translatable import _l
from portal.types import Voice

COMPLIMENT, COMMENT = "compliment", "comment"
KINDS = {COMPLIMENT: "Compliment", COMMENT: "Comment or idea"}
PORTAL = "portal"
ARRIVED_BY = {
    PORTAL: "Speak Up (online)",
    "card": "Card",
    "email": "Email",
    "phone": "Phone call",
    "letter": "Letter",
    "in_person": "In person",
}
FROM_GROUPS = {
    "young_person": "A young person (under 18)",
    "parent": "A parent or family member",
    "carer": "A foster carer or other carer",
    "professional": "A professional",
    "other": "Someone else",
}
CHILD = "young_person"  # the report splits children from adults by this group
DUTY = "duty"
PERSON = "person"  # the outbox audience of an answer
OPENED = "feedback_opened"  # the audit action of a member of staff opening one
MESSAGE_MAX = 2000
ABOUT_MAX = 200
ANSWER_MAX = 5000
JOURNEY_ID = "feedback"


# The public conversation, as data (the engine in portal/flows walks it) ---------------------


@dataclass(frozen=True)
class FeedbackState:
    """What the answers so far say, for routing and for wording the safety help."""

    kind: str | None
    from_group: str | None
    reply: str | None
    asked_for_reply: bool

    @property
    def voice(self) -> Voice:
        adult = self.from_group not in (None, CHILD)
        return Voice.OTHER if adult else Voice.SELF

    @property
    def asks_reply(self) -> bool:
        """Comments are asked if they want an answer; compliments only when they ask for one."""
        return self.kind == COMMENT or self.asked_for_reply


ASKED_FOR_REPLY = "ask_reply"  # saved when someone thanking us asks for an answer after all


def _state(answers: Mapping[str, Any]) -> FeedbackState:
    return FeedbackState(
        kind=answers.get("kind"),
        from_group=answers.get("who"),
        reply=answers.get("reply"),
        asked_for_reply=answers.get(ASKED_FOR_REPLY) == "yes",
    )


FEEDBACK = Journey(
    id=JOURNEY_ID,
    state=_state,
    steps=(
        Step(
            "kind",
            Kind.SINGLE,
            _l("What would you like to do?"),
            summary=_l("What you want to do"),
            choices=(
                Choice(
                    COMPLIMENT, _l("Say thank you"), hint=_l("Tell us about someone who helped.")
                ),
                Choice(
                    COMMENT, _l("Share an idea"), hint=_l("Tell us how we could do things better.")
                ),
            ),
            errors={"required": _l("Pick one to carry on.")},
        ),
        Step(
            "about",
            Kind.SHORT_TEXT,
            _l("Who do you want to thank?"),
            hint=_l("Write a name, a team, or both."),
            examples=(_l("For example: Sam, my support worker."),),
            summary=_l("Who you want to thank"),
            max_length=ABOUT_MAX,
            show_if=lambda s: s.kind == COMPLIMENT,
            errors={"required": _l("Write who you want to thank.")},
        ),
        Step(
            "thanks",
            Kind.LONG_TEXT,
            _l("What do you want to say to them?"),
            hint=_l("We will pass it on to them."),
            examples=(_l("For example: Sam always listens to me."),),
            summary=_l("What you want to say"),
            max_length=MESSAGE_MAX,
            show_if=lambda s: s.kind == COMPLIMENT,
            errors={"required": _l("Write what you want to say.")},
        ),
        Step(
            "idea",
            Kind.LONG_TEXT,
            _l("What is your idea?"),
            hint=_l("Tell us what we could do better, or what works well."),
            examples=(_l("For example: I would like to meet my worker after school."),),
            summary=_l("Your idea"),
            max_length=MESSAGE_MAX,
            show_if=lambda s: s.kind == COMMENT,
            errors={"required": _l("Write your idea.")},
        ),
        Step(
            "who",
            Kind.SINGLE,
            _l("Who are you?"),
            hint=_l("This helps us count who gets in touch."),
            summary=_l("Who you are"),
            choices=(
                Choice(CHILD, _l("A young person (under 18)")),
                Choice("parent", _l("A parent or someone in the family")),
                Choice("carer", _l("A foster carer or another carer")),
                Choice("professional", _l("Someone who works with young people")),
                Choice("other", _l("Someone else")),
            ),
            errors={"required": _l("Pick one to carry on.")},
        ),
        Step(
            "reply",
            Kind.SINGLE,
            _l("Would you like an answer from us?"),
            hint=_l("Only pick email or phone if it is safe for us to get in touch there."),
            summary=_l("An answer"),
            choices=(
                Choice("none", _l("No, thank you")),
                Choice("email", _l("Yes, by email")),
                Choice("phone", _l("Yes, by phone")),
            ),
            show_if=lambda s: s.asks_reply,
            errors={"required": _l("Pick one to carry on.")},
        ),
        Step(
            "email",
            Kind.SHORT_TEXT,
            _l("What is your email address?"),
            hint=_l("We will only use it to answer you."),
            summary=_l("Email"),
            max_length=254,
            check="email",
            show_if=lambda s: s.asks_reply and s.reply == "email",
            errors={
                "required": _l("Write your email address, like name@example.com."),
                "format": _l("Write your email address, like name@example.com."),
            },
        ),
        Step(
            "phone",
            Kind.SHORT_TEXT,
            _l("What is your phone number?"),
            hint=_l("We will call you on it to give you our answer."),
            summary=_l("Phone"),
            max_length=30,
            check="uk_phone",
            show_if=lambda s: s.asks_reply and s.reply == "phone",
            errors={
                "required": _l("Write your phone number, like 07700 900123."),
                "format": _l("Write a UK phone number, like 07700 900123."),
            },
        ),
    ),
)


# Recording one ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """What the sent page needs to say what happens next (never what they wrote)."""

    kind: str
    reply: str  # "none", "email" or "phone"


def _risks(*texts: str | None) -> set[str]:
    found: set[str] = set()
    for text in texts:
        found.update(matching_lists(text))
    return found


def _flag(item: Feedback, reasons: set[str], at: datetime) -> None:
    """Words about harm: mark the row and queue one content-free alert for the duty team."""
    if not reasons:
        return
    item.safety_flag = True
    message = notice(FEEDBACK_SAFETY_ALERT, For.DUTY).render(
        link=staff_url(f"/staff/feedback/{item.id}")
    )
    db.session.add(
        OutboxMessage(
            kind=FEEDBACK_SAFETY_ALERT,
            audience=DUTY,
            to_address=current_app.config["DUTY_TEAM_EMAIL"],
            subject=message.subject,
            body=message.body,
            created_utc=at,
            idempotency_key=f"feedback-alert:{item.id}",
        )
    )


def _contact_from(state: FeedbackState, answers: Mapping[str, Any]) -> str | None:
    if not state.asks_reply or state.reply not in ("email", "phone"):
        return None
    typed = (answers.get(state.reply) or "").strip()
    return (normal_contact(typed) or typed) if typed else None


def submit_draft(key: str | None, language: str) -> Sent | None:
    """Turn a finished feedback draft into exactly one `feedback` row, however often it is sent.

    Returns what was sent (also when it was sent before), or None when there is no draft or
    it is not finished. The draft keeps only the kind and the route of the answer afterwards.
    """
    if not key:
        return None
    draft = db.session.scalars(
        select(Draft).where(Draft.key == key, Draft.journey == JOURNEY_ID)
    ).one_or_none()
    if draft is None:
        return None
    if draft.submitted_utc is not None:
        return sent(key)
    answers = dict(draft.answers)
    if not engine.is_complete(FEEDBACK, answers):
        return None
    state = FEEDBACK.state(answers)
    kind = state.kind
    message = plain_text(answers.get("thanks" if kind == COMPLIMENT else "idea") or "")
    about = plain_text(answers.get("about") or "") if kind == COMPLIMENT else ""
    contact = _contact_from(state, answers)
    reply = state.reply if contact else "none"
    now = now_utc()
    claimed = db.session.execute(
        update(Draft)
        .where(Draft.id == draft.id, Draft.submitted_utc.is_(None))
        .values(submitted_utc=now, answers={"sent_kind": kind, "sent_reply": reply})
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()  # another request sent it first
        return sent(key)
    item = Feedback(
        kind=kind,
        received_on=local_date(now),
        arrived_by=PORTAL,
        from_group=state.from_group,
        language=language,
        message=message,
        about=about or None,
        contact=contact,
        safety_flag=False,
        recorded_by=None,
        created_utc=now,
    )
    db.session.add(item)
    db.session.flush()
    _flag(item, set(draft.urgent_reasons or []) | _risks(message, about, contact), now)
    db.session.commit()
    return Sent(kind, reply)


def sent(key: str | None) -> Sent | None:
    """What this browser sent (for the sent page), or None if it has sent nothing."""
    if not key:
        return None
    row = db.session.execute(
        select(Draft.answers, Draft.submitted_utc).where(
            Draft.key == key, Draft.journey == JOURNEY_ID
        )
    ).one_or_none()
    if row is None or row.submitted_utc is None:
        return None
    answers = row.answers or {}
    kind = answers.get("sent_kind")
    if kind not in KINDS:
        return None
    return Sent(kind, answers.get("sent_reply") or "none")


# Staff ------------------------------------------------------------------------------------


class FeedbackInvalid(ValueError):
    """What staff sent cannot be recorded: plain-words messages by field name."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class FeedbackRefused(ValueError):
    """The change cannot be made now (the message says why, in plain words)."""


def _typed(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _words(
    form: Mapping[str, Any], name: str, limit: int, errors: dict[str, str], required: str | None
) -> str:
    """A box's words, cleaned; an error (never a cut) when too long, odd or missing."""
    typed = _typed(form, name)
    if "\x00" in typed:
        errors[name] = "Take out the unusual characters and try again."
        return ""
    if len(typed.replace("\r\n", "\n")) > limit:
        errors[name] = f"That is too long. Write at most {limit:,} characters."
        return ""
    words = plain_text(typed)
    if required and not words:
        errors[name] = required
    return words


_PHONE_PUNCTUATION = re.compile(r"[\s\-.()]")
_UK_PHONE = re.compile(r"^(?:\+44|0044|0)[1237]\d{8,9}$")


def normal_contact(typed: str) -> str | None:
    """An email address, or a UK phone number written as digits; None if it is neither."""
    typed = typed.strip()
    if not typed or len(typed) > 254:
        return None
    if "@" in typed:
        return normal_email(typed)
    mobile = normal_mobile(typed)
    if mobile:
        return mobile
    digits = _PHONE_PUNCTUATION.sub("", typed)
    if not _UK_PHONE.match(digits):
        return None
    return "0" + digits.removeprefix("+44").removeprefix("0044").removeprefix("0")


def _team(form: Mapping[str, Any], errors: dict[str, str]) -> str | None:
    team = _typed(form, "team").strip()
    if not team:
        return None
    if team not in current_app.config["SERVICE_AREAS"]:
        errors["team"] = "Choose a team from the list."
        return None
    return team


def _received_on(form: Mapping[str, Any], errors: dict[str, str]) -> date | None:
    typed = _typed(form, "received_on").strip()
    if not typed:
        errors["received_on"] = "Write the date it arrived."
        return None
    try:
        day = date.fromisoformat(typed)
    except ValueError:
        errors["received_on"] = "Write a real date, like 27 3 2026."
        return None
    if day > today_local():
        errors["received_on"] = "The date it arrived must be today or before."
        return None
    if day.year < 2000:
        errors["received_on"] = "Write a real date, like 27 3 2026."
        return None
    return day


def _choice(
    form: Mapping[str, Any], name: str, allowed: Mapping[str, str], message: str, errors
) -> str:
    value = _typed(form, name).strip()
    if value not in allowed:
        errors[name] = message
    return value


def record_from_staff(by: str, form: Mapping[str, Any]) -> Feedback:
    """Record a compliment or comment that came by card, email, phone, letter or in person.

    Words about harm flag it and alert the duty team, as from the portal. Audited.
    """
    errors: dict[str, str] = {}
    kind = _choice(form, "kind", KINDS, "Choose a compliment or a comment.", errors)
    received_on = _received_on(form, errors)
    staff_routes = {k: v for k, v in ARRIVED_BY.items() if k != PORTAL}
    arrived_by = _choice(form, "arrived_by", staff_routes, "Choose how it arrived.", errors)
    from_group = _choice(form, "from_group", FROM_GROUPS, "Choose who gave it.", errors)
    team = _team(form, errors)
    about = _words(form, "about", ABOUT_MAX, errors, None)
    message = _words(form, "message", MESSAGE_MAX, errors, "Write what they said.")
    if kind == COMPLIMENT and not about and not team and "about" not in errors:
        errors["about"] = "Write the person or team thanked, or choose their team."
    contact = None
    typed_contact = _typed(form, "contact").strip()
    if typed_contact:
        contact = normal_contact(typed_contact)
        if contact is None:
            errors["contact"] = "Write an email address or a UK phone number, or leave it empty."
    language = _typed(form, "language").strip() or "en"
    if language not in current_app.config["LANGUAGES"]:
        errors["language"] = "Choose a language from the list."
    if errors:
        raise FeedbackInvalid(errors)
    now = now_utc()
    item = Feedback(
        kind=kind,
        received_on=received_on,
        arrived_by=arrived_by,
        from_group=from_group,
        language=language,
        message=message,
        about=(about or None) if kind == COMPLIMENT else None,
        team=team,
        contact=contact,
        safety_flag=False,
        recorded_by=by,
        created_utc=now,
    )
    db.session.add(item)
    db.session.flush()
    _flag(item, _risks(message, about), now)
    audit(by, "feedback_recorded", _target(item), kind=kind, arrived_by=arrived_by)
    db.session.commit()
    return item


def _target(item: Feedback) -> str:
    return f"feedback:{item.id}"


def get(feedback_id: int) -> Feedback | None:
    return db.session.get(Feedback, feedback_id)


def opened(item: Feedback, by: str) -> None:
    """Someone opened it (audited and committed): a flagged one no longer leads the list."""
    audit(by, OPENED, _target(item))
    db.session.commit()


def _opened_clause():
    return exists().where(
        AuditEntry.action == OPENED,
        AuditEntry.target == literal("feedback:", String).concat(cast(Feedback.id, String)),
    )


@dataclass(frozen=True)
class Filters:
    kind: str | None = None  # compliment, comment or None for both
    answered: str | None = None  # "yes", "no" or None for either
    flagged: bool = False


@dataclass(frozen=True)
class Listing:
    items: list[Feedback]
    unopened_flags: list[Feedback]  # flagged and nobody has opened them: always shown first
    total: int
    shown: int


PAGE_SIZE = 100


def listing(filters: Filters, limit: int = PAGE_SIZE) -> Listing:
    """Compliments and comments, newest first; flagged ones nobody has opened lead the page."""
    query = select(Feedback)
    count = select(func.count(Feedback.id))
    conditions = []
    if filters.kind in KINDS:
        conditions.append(Feedback.kind == filters.kind)
    if filters.answered == "yes":
        conditions.append(Feedback.answered_on.is_not(None))
    elif filters.answered == "no":
        conditions.append(Feedback.answered_on.is_(None))
    if filters.flagged:
        conditions.append(Feedback.safety_flag.is_(True))
    for condition in conditions:
        query, count = query.where(condition), count.where(condition)
    items = list(
        db.session.scalars(
            query.order_by(
                Feedback.received_on.desc(), Feedback.created_utc.desc(), Feedback.id.desc()
            ).limit(limit)
        )
    )
    unopened = list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.safety_flag.is_(True), ~_opened_clause())
            .order_by(Feedback.created_utc.desc(), Feedback.id.desc())
            .limit(limit)
        )
    )
    total = db.session.scalar(count) or 0
    return Listing(items=items, unopened_flags=unopened, total=total, shown=len(items))


def is_opened(item: Feedback) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == OPENED, AuditEntry.target == _target(item)
            )
        )
    )


def set_team(item: Feedback, team: str, by: str) -> None:
    """Set (or clear) the team a compliment or comment is counted under. Audited."""
    errors: dict[str, str] = {}
    chosen = _team({"team": team}, errors)
    if errors:
        raise FeedbackInvalid(errors)
    before = item.team
    item.team = chosen
    audit(by, "feedback_team_set", _target(item), team=chosen, before=before)
    db.session.commit()


def contact_route(item: Feedback) -> str | None:
    """How an answer reaches them: "email", "sms" (a mobile: a text, then a call), "call"
    (another phone: staff call), or None when they left no way to reach them."""
    contact = item.contact or ""
    if not contact:
        return None
    if "@" in contact:
        return "email"
    return "sms" if normal_mobile(contact) else "call"


def answer(item: Feedback, words: str, by: str) -> str | None:
    """Record the answer (once), audited; queue it to them if they left a way to reach them.

    Returns the outbox channel used ("email", "sms") or None when nothing was queued.
    """
    if item.answered_on is not None:
        raise FeedbackRefused("This already has an answer.")
    errors: dict[str, str] = {}
    text = _words({"answer": words}, "answer", ANSWER_MAX, errors, "Write the answer.")
    if errors:
        raise FeedbackInvalid(errors)
    now = now_utc()
    claimed = db.session.execute(
        update(Feedback)
        .where(Feedback.id == item.id, Feedback.answered_on.is_(None))
        .values(answer=text, answered_on=local_date(now), answered_by=by)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise FeedbackRefused("Someone else answered this at the same moment.")
    route = contact_route(item)
    queued = _queue_answer(item, text, route, now)
    audit(by, "feedback_answered", _target(item), sent_by=queued)
    db.session.commit()
    db.session.refresh(item)
    return queued


def _queue_answer(item: Feedback, text: str, route: str | None, now: datetime) -> str | None:
    if route not in ("email", "sms"):
        return None
    language = item.language if item.language in current_app.config["LANGUAGES"] else "en"
    with force_locale(language):
        council = wording.setting("COUNCIL_NAME")
        if route == "email":
            message = feedback_answer(council, text)
            kind = FEEDBACK_ANSWER
        else:
            message = notice(FEEDBACK_ANSWER_TEXT, For.PERSON).render(council=council)
            kind = FEEDBACK_ANSWER_TEXT
    db.session.add(
        OutboxMessage(
            kind=kind,
            channel=route,
            audience=PERSON,
            language=language,
            to_address=item.contact,
            subject=message.subject,
            body=message.body,
            created_utc=now,
            idempotency_key=f"feedback-answer:{item.id}",
        )
    )
    return route


# Sent again when nobody opens it ----------------------------------------------------------
#
# As for an urgent complaint (portal/services/safety.py): words to check that nobody has opened
# within URGENT_ESCALATE_MINUTES of working hours, or at once outside them, go again to the
# out-of-hours team, once. The outbox key is unique, so several senders send it once.

OUT_OF_HOURS = "out_of_hours"


def _when(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M} on {local:%A %-d %B}"


@job("feedback_alerts_sent_again", timedelta(minutes=1))
def send_unopened_alerts_again(now: datetime) -> int:
    """Send each flagged compliment or comment nobody has opened in time to the out-of-hours
    team, once; returns how many went."""
    already = select(OutboxMessage.id).where(
        OutboxMessage.idempotency_key
        == literal("feedback-again:", String).concat(cast(Feedback.id, String))
    )
    waiting = db.session.execute(
        select(Feedback.id, Feedback.created_utc).where(
            Feedback.safety_flag.is_(True),
            Feedback.created_utc >= now - SEND_AGAIN_WITHIN,
            ~_opened_clause(),
            ~already.exists(),
        )
    ).all()
    db.session.rollback()
    config = current_app.config
    sent = 0
    for row in waiting:
        if not send_again_due(row.created_utc, now):
            continue
        message = notice(FEEDBACK_SAFETY_AGAIN, For.DUTY).render(
            since=_when(row.created_utc), link=staff_url(f"/staff/feedback/{row.id}")
        )
        db.session.add(
            OutboxMessage(
                kind=FEEDBACK_SAFETY_AGAIN,
                audience=OUT_OF_HOURS,
                to_address=config.get("OUT_OF_HOURS_EMAIL") or config["DUTY_TEAM_EMAIL"],
                subject=message.subject,
                body=message.body,
                created_utc=now,
                idempotency_key=f"feedback-again:{row.id}",
            )
        )
        try:
            db.session.commit()
            sent += 1
        except IntegrityError:
            db.session.rollback()  # another sender sent it first
    return sent


# Retention --------------------------------------------------------------------------------


def forget_old_contacts(years: int) -> int:
    """Remove the email address or phone number of feedback received `years` ago or more,
    and of the answers sent to it (a complaint's contact goes the same way). Audited."""
    today = today_local()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    items = list(
        db.session.scalars(
            select(Feedback).where(Feedback.received_on < cutoff, Feedback.contact.is_not(None))
        )
    )
    if not items:
        return 0
    ids = [item.id for item in items]
    for item in items:
        item.contact = None
    answers = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.idempotency_key.in_([f"feedback-answer:{i}" for i in ids])
        )
    )
    for message in answers:
        message.to_address = ""
        message.body = ""
    for feedback_id in ids:
        audit("retention", "feedback_contact_removed", f"feedback:{feedback_id}")
    db.session.commit()
    return len(ids)
