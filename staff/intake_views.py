"""Every way in: staff log a complaint that came by phone, email, letter, in person or through
an advocate, then give the complainant their reference and private link.

One form, derived from the conversation (staff/intake_form.py). The service
(portal/services/intake.py) builds the complaint through the portal's own path, with the same
rules and the same clocks from the day it was received, audits it and commits. Views stay thin.
"""

from __future__ import annotations

from typing import Any

import segno
from flask import abort, redirect, render_template, request, session, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from portal.clock import today_local
from portal.flows import DEFAULT_JOURNEY, JOURNEYS
from portal.flows.model import Journey
from portal.services import complaints, intake
from portal.types import StaffRole
from staff import auth
from staff.intake_form import applies, arrival_label, check, questions, read, shown_back
from staff.views import bp

INTAKE_ROLES = (StaffRole.OFFICER, StaffRole.MANAGER)
# The cases this browser logged, whose private link it may still show (newest last).
GIVEN = "intake_given"
GIVEN_KEPT = 10
# Room for a long letter typed in full: too long an answer is then a message beside its box,
# with everything kept, rather than a "too big" page that loses it.
INTAKE_MAX_BYTES = 400 * 1024


def _journey() -> Journey:
    return JOURNEYS[DEFAULT_JOURNEY]


@bp.url_value_preprocessor
def _room_for_a_long_letter(endpoint: str | None, _values: Any) -> None:
    # Runs before every before_request hook (CSRF and the NUL check read the form).
    if endpoint == "staff.new_case":
        request.max_content_length = INTAKE_MAX_BYTES


@bp.context_processor
def _arrival_label() -> dict[str, Any]:
    return {"arrival_label": arrival_label}


def _form_page(typed: MultiDict, errors: dict[str, str], entry=None):
    journey = _journey()
    return render_template(
        "staff/new_case.html",
        questions=questions(journey),
        arrivals=[(a, arrival_label(a)) for a in intake.ARRIVALS],
        typed=typed,
        shown_back=shown_back,
        errors=errors,
        applies=applies(journey, entry) if entry is not None else None,
        today=today_local().isoformat(),
    )


@bp.route("/cases/new", methods=["GET", "POST"])
@auth.requires(*INTAKE_ROLES)
def new_case():
    """Log a complaint that did not come through Speak Up."""
    user = auth.current_staff()
    if request.method == "GET":
        typed = MultiDict(
            {
                "received_on": today_local().isoformat(),
                "taken_by": user.name,
                "form_key": intake.new_form_key(),
            }
        )
        return _form_page(typed, {})
    journey = _journey()
    entry = read(journey, request.form)
    errors = check(journey, entry)
    if not errors:
        try:
            logged = intake.log_complaint(
                journey,
                entry.answers,
                received_on=entry.received_on,
                arrived_by=entry.arrived_by,
                taken_by=entry.taken_by,
                by=user.email,
                form_key=entry.form_key,
            )
        except intake.Invalid as invalid:
            errors = invalid.errors
        else:
            reference = logged.complaint.reference
            given = [r for r in session.get(GIVEN, []) if r != reference]
            session[GIVEN] = [*given, reference][-GIVEN_KEPT:]
            again = 1 if logged.already else None
            return redirect(url_for(".intake_given", reference=reference, again=again), 303)
    typed = request.form.copy()
    if not intake.FORM_KEY.match(typed.get("form_key", "")):
        typed["form_key"] = intake.new_form_key()
    return _form_page(typed, errors, entry), 400


def _given_or_case(reference: str):
    """The complaint, if this browser logged it; otherwise a redirect to its case page."""
    complaint = complaints.by_reference(reference)
    if complaint is None:
        abort(404)
    if complaint.reference not in session.get(GIVEN, []):
        return None, redirect(url_for(".case", reference=complaint.reference), 303)
    return complaint, None


def _qr_code(link: str) -> Markup:
    """The private link as a QR code for the printed slip (inline SVG, no outside service)."""
    label = "QR code for the private link"
    svg = segno.make(link, error="m").svg_inline(
        scale=3, dark="#0b0c0c", light="#ffffff", svgclass="qr-code", title=label
    )
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704 - segno's own markup and a fixed label


def _given_page(complaint, errors: dict[str, str], typed: Any):
    link = intake.private_link(complaint, auth.current_staff().email)
    return render_template(
        "staff/intake_given.html",
        complaint=complaint,
        link=link,
        qr_code=_qr_code(link),
        status=complaints.status_of(complaint),
        addresses=intake.addresses(complaint),
        queued=intake.queued_links(complaint),
        again=request.args.get("again") == "1",
        sent=request.args.get("sent"),
        errors=errors,
        typed=typed,
        shown_back=shown_back,
        arrived=arrival_label(complaint.arrived_by),
    )


@bp.get("/cases/<reference>/given")
@auth.requires(*INTAKE_ROLES)
def intake_given(reference: str):
    """The reference and private link, to read out, print or send; then the case."""
    complaint, elsewhere = _given_or_case(reference)
    if elsewhere is not None:
        return elsewhere
    return _given_page(complaint, {}, {})


@bp.post("/cases/<reference>/given/send")
@auth.requires(*INTAKE_ROLES)
def intake_send(reference: str):
    """Queue the reference and private link to the address the complainant gave."""
    complaint, elsewhere = _given_or_case(reference)
    if elsewhere is not None:
        return elsewhere
    try:
        address = intake.send_link(
            complaint,
            request.form.get("to"),
            request.form.get("other_email"),
            auth.current_staff().email,
        )
    except intake.Invalid as invalid:
        return _given_page(complaint, invalid.errors, request.form), 400
    url = url_for(".intake_given", reference=complaint.reference, sent=address.channel)
    return redirect(url + "#send", 303)
