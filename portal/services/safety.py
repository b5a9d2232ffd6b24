"""Urgent flags, help requests and alerts to the duty team, and how the duty team acts on them.

A flag is raised by words about harm (the names of the safety lists, never the words), by
"I am not safe" in the conversation, or by a help request. A new flag (new reasons, or any
flag after the last one was seen or cleared) starts again: `urgent_since_utc` is now and
nobody has seen it, so a fresh risk never hides behind an old acknowledgement. Staff then say
they have seen it, record what was done and clear it; each is an event and an audit entry,
committed together, and checked against the version of the case the page showed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from portal.clock import LONDON, now_utc
from portal.config import working_hours
from portal.extensions import db
from portal.links import staff_url
from portal.models import AuditEntry, Complaint, Draft, Event, HelpRequest, OutboxMessage
from portal.notifications import (
    HELP_REQUEST_AGAIN,
    HELP_REQUEST_ALERT,
    URGENT_AGAIN,
    For,
    Message,
    help_request_alert,
    notice,
    urgent_complaint_alert,
)
from portal.outbox.schedule import job
from portal.safety.matcher import matching_lists
from portal.services.casework import Conflict
from portal.services.staff import audit
from portal.text import plain_text
from portal.timescales import is_working_day
from portal.types import EventType

ASKED_FOR_HELP = "asked_for_help"
SAID_NOT_SAFE = "said_not_safe"
URGENT_ALERT = "urgent_alert"
DUTY = "duty"  # the outbox audiences of alerts, and of alerts sent again
OUT_OF_HOURS = "out_of_hours"
HELP_VIEWED = "help_request_viewed"  # the audit action of a member of staff opening a request

# What was found, in plain words for staff (the concept, never what was typed).
CONCEPTS = {
    "harm_from_others": "harm from others",
    "sexual_harm": "sexual harm",
    "criminal_exploitation": "criminal exploitation",
    "self_harm": "self-harm",
    "immediate_danger": "danger now",
    "neglect": "neglect",
    SAID_NOT_SAFE: "said they are not safe",
    ASKED_FOR_HELP: "asked for urgent contact",
}

# What the duty team did about a flag. "No action needed" must say why.
NO_ACTION_NEEDED = "no_action_needed"
URGENT_ACTIONS = {
    "called_the_child": "Called the young person",
    "referred_to_mash": "Referred to the MASH",
    "police_informed": "Told the police",
    NO_ACTION_NEEDED: "No action needed",
}
NOTE_MAX = 2000  # the boxes' maxlength; longer only comes from a hand-made request


# Asking again from the same browser within this time adds to the first request's count.
FOLD_REPEATS_FOR = timedelta(hours=12)


def _queue(message: Message, **links) -> OutboxMessage:
    alert = OutboxMessage(
        kind=HELP_REQUEST_ALERT,
        audience=DUTY,
        to_address=current_app.config["DUTY_TEAM_EMAIL"],
        subject=message.subject,
        body=message.body,
        created_utc=now_utc(),
        **links,
    )
    db.session.add(alert)
    return alert


def risk_in(text: str | None) -> list[str]:
    """Return the safety lists a free-text answer matches (never the words themselves)."""
    return matching_lists(text)


def note_draft_risk(key: str | None, reasons: list[str]) -> None:
    """Mark a draft urgent with the reasons found, keeping every answer."""
    draft = db.session.scalars(select(Draft).where(Draft.key == key)).one_or_none()
    if draft is None or not reasons:
        return
    draft.urgent_reasons = sorted(set(draft.urgent_reasons) | set(reasons))
    db.session.commit()


def request_help(
    draft_key: str | None,
    complaint: Complaint | None,
    how: str,
    contact: str | None,
    session_id: int | None = None,
    safe_times: str | None = None,
    leave_message: bool | None = None,
) -> HelpRequest:
    """Record that someone wants urgent contact, mark their draft or complaint, alert the team.

    Asking again from the same browser is folded into the first request: its count goes up
    and its one alert says how many times they asked, so the duty team is not flooded.
    `safe_times` (their words, already screened) and `leave_message` say how to call safely.
    """
    now = now_utc()
    earlier = _recent_request(session_id, now)
    if earlier is not None:
        if safe_times or leave_message is not None:
            earlier.safe_times = safe_times or earlier.safe_times
            earlier.leave_message = leave_message
        return _asked_again(earlier, how, contact, now)
    draft = None
    if draft_key:
        draft = db.session.scalars(select(Draft).where(Draft.key == draft_key)).one_or_none()
    request = HelpRequest(
        how=how,
        contact=contact or None,
        safe_times=safe_times or None,
        leave_message=leave_message,
        created_utc=now,
        last_asked_utc=now,
        times_asked=1,
        public_session_id=session_id,
        draft_id=draft.id if draft else None,
        complaint_id=complaint.id if complaint else None,
    )
    db.session.add(request)
    if draft is not None:
        draft.urgent_reasons = sorted(set(draft.urgent_reasons) | {ASKED_FOR_HELP})
    if complaint is not None:
        _mark_complaint_urgent(complaint, [ASKED_FOR_HELP], now)
        complaint.events.append(
            Event(type=EventType.HELP_REQUESTED, at_utc=now, actor="complainant", data={"how": how})
        )
    db.session.flush()
    _queue(
        help_request_alert(staff_url(f"/staff/help/{request.id}")),
        help_request_id=request.id,
        complaint_id=complaint.id if complaint else None,
    )
    db.session.commit()
    return request


def _recent_request(session_id: int | None, now: datetime) -> HelpRequest | None:
    if session_id is None:
        return None
    return db.session.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.public_session_id == session_id,
            HelpRequest.last_asked_utc > now - FOLD_REPEATS_FOR,
        )
        .order_by(HelpRequest.id.desc())
        .limit(1)
    ).first()


def _asked_again(request: HelpRequest, how: str, contact: str | None, now: datetime) -> HelpRequest:
    """Count another ask on the same request; update its alert, or send one more if it went."""
    request.times_asked += 1
    request.last_asked_utc = now
    request.how = how
    request.contact = contact or request.contact
    message = help_request_alert(staff_url(f"/staff/help/{request.id}"), request.times_asked)
    waiting = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.help_request_id == request.id,
            OutboxMessage.kind == HELP_REQUEST_ALERT,
            OutboxMessage.sent_utc.is_(None),
        )
    ).first()
    if waiting is not None:
        waiting.subject, waiting.body = message.subject, message.body
    else:
        _queue(message, help_request_id=request.id, complaint_id=request.complaint_id)
    db.session.commit()
    return request


def _mark_complaint_urgent(complaint: Complaint, reasons: list[str], at: datetime) -> bool:
    """Flag the complaint; return True if this is a new flag the duty team has not seen.

    Reasons already on an unseen flag need no new alert. New reasons on an unseen flag keep
    its start, so it keeps its place at the top of the tracker (it has waited that long).
    Either way the case's version goes up, so a page read before this worry arrived cannot
    be used to say it was seen, or to clear it.
    """
    current = set(complaint.urgent_reasons or []) if complaint.urgent else set()
    unseen = complaint.urgent and complaint.urgent_seen_utc is None
    fresh = not unseen or not set(reasons) <= current
    complaint.urgent = True
    complaint.urgent_reasons = sorted(current | set(reasons))
    if not unseen:
        complaint.urgent_since_utc = at
        complaint.urgent_seen_by = None
        complaint.urgent_seen_utc = None
        complaint.urgent_escalated_utc = None  # a new flag is sent again if nobody sees it
    elif complaint.urgent_since_utc is None:
        complaint.urgent_since_utc = at
    flag_modified(complaint, "urgent_reasons")
    return fresh


def urgent_reasons_at_submit(
    draft: Draft | None, free_text: list[str], said_not_safe: bool
) -> list[str]:
    """Check every free-text answer again on submit, and gather why the complaint is urgent.

    Without a draft (a complaint staff logged from a call or a letter) only the words count.
    """
    reasons = set(draft.urgent_reasons or []) if draft is not None else set()
    for text in free_text:
        reasons |= set(risk_in(text))
    if said_not_safe:
        reasons.add(SAID_NOT_SAFE)
    return sorted(reasons)


def flag_urgent(complaint: Complaint, reasons: list[str], at: datetime | None = None) -> None:
    """Flag a complaint urgent and queue the duty team's alert, in the caller's transaction."""
    if not reasons:
        return
    at = at or now_utc()
    fresh = _mark_complaint_urgent(complaint, reasons, at)
    complaint.events.append(
        Event(
            type=EventType.FLAGGED_URGENT,
            at_utc=at,
            actor="complainant",
            data={"reasons": sorted(reasons)},
        )
    )
    if not fresh:
        return  # the same worry again, before anyone has seen the first: one alert is enough
    alert = urgent_complaint_alert(staff_url(f"/staff/cases/{complaint.reference}"))
    complaint.outbox.append(
        OutboxMessage(
            kind=URGENT_ALERT,
            audience=DUTY,
            to_address=current_app.config["DUTY_TEAM_EMAIL"],
            subject=alert.subject,
            body=alert.body,
            created_utc=at,
        )
    )


def notice_risks(risks: list[str], draft_key: str | None, complaint: Complaint | None) -> None:
    """Words about harm were typed in a public form: flag the draft and the complaint."""
    if not risks:
        return
    if draft_key:
        note_draft_risk(draft_key, risks)
    if complaint is None:
        return
    for _attempt in range(3):  # a staff move at the same moment must not lose the flag
        try:
            flag_urgent(complaint, risks)
            db.session.commit()
            return
        except StaleDataError:
            db.session.rollback()
            db.session.refresh(complaint)
    raise RuntimeError("could not flag the complaint urgent after several attempts")


def link_help_requests(draft: Draft, complaint: Complaint) -> None:
    """Attach help requests made while writing to the complaint that came of it."""
    for request in db.session.scalars(select(HelpRequest).where(HelpRequest.draft_id == draft.id)):
        request.complaint = complaint


def help_request(request_id: int) -> HelpRequest | None:
    """Return one "I don't feel safe" request, for the duty team."""
    return db.session.get(HelpRequest, request_id)


def help_requests_for(complaint: Complaint) -> list[HelpRequest]:
    return list(
        db.session.scalars(
            select(HelpRequest)
            .where(HelpRequest.complaint_id == complaint.id)
            .order_by(HelpRequest.id)
        )
    )


# The duty team acts on a flag -------------------------------------------------------------


class UrgentRefused(ValueError):
    """What staff sent cannot be recorded; the message says why, in plain words.

    `field` names the box the message belongs next to, if any.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def concept_words(reasons: Iterable[str]) -> list[str]:
    """What was found, in plain words (never what was typed)."""
    return [CONCEPTS.get(r, r.replace("_", " ")) for r in reasons]


@dataclass(frozen=True)
class UrgentFlag:
    """The complaint's current urgent flag, as the duty team sees it."""

    concepts: list[str]
    since: datetime | None
    seen_by: str | None
    seen_utc: datetime | None
    actions: list[Event]
    escalated_utc: datetime | None = None  # sent again to the out-of-hours team

    @property
    def has_action(self) -> bool:
        return bool(self.actions)


def _of_this_flag(event: Event, since: datetime | None) -> bool:
    raw = event.data.get("since") if isinstance(event.data, dict) else None
    if since is None or not isinstance(raw, str):
        return False
    try:
        return datetime.fromisoformat(raw) == since
    except ValueError:
        return False


def urgent_flag(complaint: Complaint) -> UrgentFlag | None:
    """The current flag, with what has been done about it so far (None if not urgent)."""
    if not complaint.urgent:
        return None
    since = complaint.urgent_since_utc
    return UrgentFlag(
        concepts=concept_words(complaint.urgent_reasons or []),
        since=since,
        seen_by=complaint.urgent_seen_by,
        seen_utc=complaint.urgent_seen_utc,
        escalated_utc=complaint.urgent_escalated_utc,
        actions=[
            e
            for e in complaint.events
            if e.type == EventType.URGENT_ACTION_RECORDED and _of_this_flag(e, since)
        ],
    )


def _words(value: object, limit: int = NOTE_MAX) -> str:
    """A staff note as plain text; refused (never cut) when too long or holding a NUL."""
    typed = value if isinstance(value, str) else ""
    if "\x00" in typed:
        raise UrgentRefused("Take out the unusual characters and try again.", "note")
    if len(typed.replace("\r\n", "\n")) > limit:
        raise UrgentRefused(f"That is too long. Write at most {limit:,} characters.", "note")
    return plain_text(typed)


def _ready(complaint: Complaint, version: int | None) -> str:
    """Check the page was up to date and the case is urgent; return the flag's start."""
    if version is not None and version != complaint.version:
        raise Conflict
    if not complaint.urgent:
        raise UrgentRefused("This case is not flagged urgent now.")
    since = complaint.urgent_since_utc or now_utc()
    complaint.urgent_since_utc = since
    return since.isoformat()


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise Conflict from error


def _see(complaint: Complaint, by: str, at: datetime, since: str) -> None:
    complaint.urgent_seen_by = by
    complaint.urgent_seen_utc = at
    complaint.events.append(
        Event(type=EventType.URGENT_SEEN, at_utc=at, actor=by, data={"since": since})
    )
    audit(by, "urgent_seen", f"complaint:{complaint.reference}", since=since)


def acknowledge(complaint: Complaint, by: str, version: int | None = None) -> None:
    """Say "I have seen this" for the current flag (once per flag), audited."""
    since = _ready(complaint, version)
    if complaint.urgent_seen_utc is not None:
        return
    _see(complaint, by, now_utc(), since)
    _commit()


def record_action(
    complaint: Complaint, by: str, action: str, note: str | None, version: int | None = None
) -> None:
    """Record what was done about the current flag (seeing it too, if nobody had), audited.

    "No action needed" needs a reason; the others take an optional note.
    """
    since = _ready(complaint, version)
    if action not in URGENT_ACTIONS:
        raise UrgentRefused("Choose what was done.", "action")
    words = _words(note)
    if action == NO_ACTION_NEEDED and not words:
        raise UrgentRefused("Write why no action is needed.", "note")
    at = now_utc()
    if complaint.urgent_seen_utc is None:
        _see(complaint, by, at, since)
    complaint.events.append(
        Event(
            type=EventType.URGENT_ACTION_RECORDED,
            at_utc=at,
            actor=by,
            data={"action": action, "since": since},
            note=words or None,
        )
    )
    audit(by, "urgent_action_recorded", f"complaint:{complaint.reference}", done=action)
    _commit()


def clear_flag(
    complaint: Complaint, by: str, reason: str | None, version: int | None = None
) -> None:
    """Take the urgent flag off, once something was done about it or with a reason, audited.

    The reasons it was raised for stay in the event, and the next risk raises a new flag.
    """
    since = _ready(complaint, version)
    words = _words(reason)
    flag = urgent_flag(complaint)
    if not words and not (flag and flag.has_action):
        raise UrgentRefused(
            "Record what was done first, or write why the flag can be cleared.", "note"
        )
    reasons = list(complaint.urgent_reasons or [])
    complaint.events.append(
        Event(
            type=EventType.URGENT_CLEARED,
            at_utc=now_utc(),
            actor=by,
            data={"reasons": reasons, "since": since},
            note=words or None,
        )
    )
    complaint.urgent = False
    complaint.urgent_reasons = []
    complaint.urgent_since_utc = None
    complaint.urgent_seen_by = None
    complaint.urgent_seen_utc = None
    audit(by, "urgent_cleared", f"complaint:{complaint.reference}", reasons=reasons, since=since)
    _commit()


# Sent again when nobody has seen it ---------------------------------------------------------
#
# An urgent alert nobody has said they have seen within URGENT_ESCALATE_MINUTES of working
# hours (WORKING_HOURS on working days) goes again to the out-of-hours team. Outside working
# hours nobody on the duty team is there to see it, so it goes to them at once. A help request
# made before a complaint was sent has no flag to see: it counts as seen once someone opens it.
# Every sender runs this job: each alert is claimed with one atomic UPDATE, so it goes once.
# An alert that has waited longer than a week is not sent again: it leads the tracker.

SEND_AGAIN_WITHIN = timedelta(days=7)


def working_minutes(start: datetime, end: datetime, hours: tuple[time, time]) -> float:
    """The minutes between two moments that fall in working hours, in England."""
    opens, closes = hours
    total = 0.0
    day, last = start.astimezone(LONDON).date(), end.astimezone(LONDON).date()
    while day <= last:
        if is_working_day(day):
            begin = max(start, datetime.combine(day, opens, LONDON))
            finish = min(end, datetime.combine(day, closes, LONDON))
            total += max(0.0, (finish - begin).total_seconds() / 60)
        day += timedelta(days=1)
    return total


def in_working_hours(moment: datetime, hours: tuple[time, time]) -> bool:
    local = moment.astimezone(LONDON)
    return is_working_day(local.date()) and hours[0] <= local.time() < hours[1]


@dataclass(frozen=True)
class TeamHours:
    """When the council's team can answer a help request, as it is right now."""

    open_now: bool
    opens: time
    closes: time


def team_hours(now: datetime | None = None) -> TeamHours:
    """Say whether the team is there now (WORKING_HOURS on a working day), and its hours."""
    hours = working_hours(current_app.config["WORKING_HOURS"])
    return TeamHours(in_working_hours(now or now_utc(), hours), *hours)


def send_again_due(since: datetime, now: datetime) -> bool:
    """Whether an alert raised at `since`, still unseen at `now`, goes to the out-of-hours team."""
    config = current_app.config
    hours = working_hours(config["WORKING_HOURS"])
    if not in_working_hours(now, hours):
        return True
    return working_minutes(since, now, hours) >= config["URGENT_ESCALATE_MINUTES"]


def _out_of_hours_address() -> str:
    config = current_app.config
    return config.get("OUT_OF_HOURS_EMAIL") or config["DUTY_TEAM_EMAIL"]


def _when(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M} on {local:%A %-d %B}"


def _send_again(kind: str, link: str, since: datetime, key: str, now: datetime, **about) -> int:
    """Queue the alert again for the out-of-hours team, and commit with the claim."""
    message = notice(kind, For.DUTY).render(since=_when(since), link=link)
    db.session.add(
        OutboxMessage(
            kind=kind,
            audience=OUT_OF_HOURS,
            to_address=_out_of_hours_address(),
            subject=message.subject,
            body=message.body,
            created_utc=now,
            idempotency_key=key,
            **about,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # already sent again for this flag
        return 0
    return 1


def _claimed(statement) -> bool:
    """Run one claiming UPDATE; True if this process took the row (nobody else will)."""
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    if result.rowcount == 1:
        return True
    db.session.rollback()
    return False


def _complaints_again(now: datetime) -> int:
    waiting = db.session.execute(
        select(Complaint.id, Complaint.reference, Complaint.urgent_since_utc).where(
            Complaint.urgent.is_(True),
            Complaint.urgent_seen_utc.is_(None),
            Complaint.urgent_escalated_utc.is_(None),
            Complaint.urgent_since_utc >= now - SEND_AGAIN_WITHIN,
        )
    ).all()
    db.session.rollback()  # end the read: each claim is its own short transaction
    sent = 0
    for row in waiting:
        since = row.urgent_since_utc
        if not send_again_due(since, now):
            continue
        claim = (
            update(Complaint)
            .where(
                Complaint.id == row.id,
                Complaint.urgent.is_(True),
                Complaint.urgent_seen_utc.is_(None),
                Complaint.urgent_escalated_utc.is_(None),
                Complaint.urgent_since_utc == since,
            )
            .values(urgent_escalated_utc=now)
        )
        if _claimed(claim):
            link = staff_url(f"/staff/cases/{row.reference}")
            key = f"urgent-again:{row.id}:{int(since.timestamp())}"
            sent += _send_again(URGENT_AGAIN, link, since, key, now, complaint_id=row.id)
    return sent


def _help_requests_again(now: datetime) -> int:
    waiting = db.session.execute(
        select(HelpRequest.id, HelpRequest.created_utc).where(
            HelpRequest.complaint_id.is_(None),
            HelpRequest.escalated_utc.is_(None),
            HelpRequest.created_utc >= now - SEND_AGAIN_WITHIN,
        )
    ).all()
    opened = set(
        db.session.scalars(
            select(AuditEntry.target).where(
                AuditEntry.action == HELP_VIEWED,
                AuditEntry.target.in_([f"help:{row.id}" for row in waiting]),
            )
        )
    )
    db.session.rollback()
    sent = 0
    for row in waiting:
        if f"help:{row.id}" in opened or not send_again_due(row.created_utc, now):
            continue
        claim = (
            update(HelpRequest)
            .where(
                HelpRequest.id == row.id,
                HelpRequest.complaint_id.is_(None),
                HelpRequest.escalated_utc.is_(None),
            )
            .values(escalated_utc=now)
        )
        if _claimed(claim):
            link = staff_url(f"/staff/help/{row.id}")
            key = f"help-again:{row.id}"
            sent += _send_again(
                HELP_REQUEST_AGAIN, link, row.created_utc, key, now, help_request_id=row.id
            )
    return sent


@job("urgent_alerts_sent_again", timedelta(minutes=1))
def send_unseen_alerts_again(now: datetime) -> int:
    """Send each urgent alert nobody has seen in time again, to the out-of-hours team, once."""
    return _complaints_again(now) + _help_requests_again(now)
