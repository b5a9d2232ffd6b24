"""Urgent flags, help requests and alerts to the duty team."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal.clock import now_utc
from portal.extensions import db
from portal.links import staff_url
from portal.models import Complaint, Draft, Event, HelpRequest, OutboxMessage
from portal.notifications import Message, help_request_alert, urgent_complaint_alert
from portal.safety.matcher import matching_lists
from portal.types import EventType

ASKED_FOR_HELP = "asked_for_help"
SAID_NOT_SAFE = "said_not_safe"
URGENT_ALERT = "urgent_alert"


# Asking again from the same browser within this time adds to the first request's count.
FOLD_REPEATS_FOR = timedelta(hours=12)


def _queue(message: Message, **links) -> OutboxMessage:
    alert = OutboxMessage(
        kind=URGENT_ALERT,
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
) -> HelpRequest:
    """Record that someone wants urgent contact, mark their draft or complaint, alert the team.

    Asking again from the same browser is folded into the first request: its count goes up
    and its one alert says how many times they asked, so the duty team is not flooded.
    """
    now = now_utc()
    earlier = _recent_request(session_id, now)
    if earlier is not None:
        return _asked_again(earlier, how, contact, now)
    draft = None
    if draft_key:
        draft = db.session.scalars(select(Draft).where(Draft.key == draft_key)).one_or_none()
    request = HelpRequest(
        how=how,
        contact=contact or None,
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
        _mark_complaint_urgent(complaint, [ASKED_FOR_HELP])
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
            OutboxMessage.help_request_id == request.id, OutboxMessage.sent_utc.is_(None)
        )
    ).first()
    if waiting is not None:
        waiting.subject, waiting.body = message.subject, message.body
    else:
        _queue(message, help_request_id=request.id, complaint_id=request.complaint_id)
    db.session.commit()
    return request


def _mark_complaint_urgent(complaint: Complaint, reasons: list[str]) -> None:
    complaint.urgent = True
    complaint.urgent_reasons = sorted(set(complaint.urgent_reasons or []) | set(reasons))


def urgent_reasons_at_submit(draft: Draft, free_text: list[str], said_not_safe: bool) -> list[str]:
    """Check every free-text answer again on submit, and gather why the complaint is urgent."""
    reasons = set(draft.urgent_reasons or [])
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
    _mark_complaint_urgent(complaint, reasons)
    complaint.events.append(
        Event(
            type=EventType.FLAGGED_URGENT,
            at_utc=at,
            actor="complainant",
            data={"reasons": sorted(reasons)},
        )
    )
    alert = urgent_complaint_alert(staff_url(f"/staff/cases/{complaint.reference}"))
    complaint.outbox.append(
        OutboxMessage(
            kind=URGENT_ALERT,
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
