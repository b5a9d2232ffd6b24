"""'I lost my link': a new private link, sent to the email address or mobile number given.

The reply never says whether the address is known: the same redirect to the same page, after
the same time (every accepted request takes at least LOST_LINK_MIN_SECONDS, rounded up to a
whole number of them). The keyed hash is computed and the database asked every time; only
making the links and queueing the message happen on a match, inside that time. The form is
rate-limited per network address, per browser and per address typed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired

from portal.contact import normalise
from portal.limits import limiter, per_session
from portal.services import status_links
from portal.text import plain_text
from portal.views.forms import ContactField, PublicForm

bp = Blueprint("lost_link", __name__)

# Enough for someone who mistypes a few times; not enough to try address after address.
LIMITS = "5 per minute;20 per hour"
# Each match sends a message and switches the older links off: a few a day at most.
PER_ADDRESS_LIMITS = "3 per hour;6 per day"
# Longer than finding, relinking and queueing ever takes, so a match cannot be timed.


class LostLinkForm(PublicForm):
    contact = ContactField(
        _l("Your email address or mobile number"),
        validators=[DataRequired(_l("Write your email address or mobile number."))],
        invalid_message=_l(
            "Write an email address like name@example.com. Or a mobile number like 07700 900123."
        ),
    )


def _typed_contact():
    return normalise(plain_text(request.form.get("contact", "")))


def _per_address() -> str:
    """Count requests for one email address or mobile number, however it is written."""
    typed = _typed_contact()
    return f"contact:{status_links.contact_lookup(typed)}" if typed else "contact:none"


def _no_address() -> bool:
    return _typed_contact() is None  # nothing to send to: the form just says what to fix


def take_at_least(
    floor: float, started: float, clock: Callable[[], float] = time.monotonic, sleep=time.sleep
) -> None:
    """Reply `floor` seconds after `started`, or a whole number of `floor`s when slower."""
    if floor <= 0:
        return
    elapsed = clock() - started
    sleep(max(0.0, floor * max(1, math.ceil(elapsed / floor)) - elapsed))


@bp.route("/lost-link", methods=["GET", "POST"])
@limiter.limit(LIMITS, methods=["POST"])
@limiter.limit(LIMITS, methods=["POST"], key_func=per_session)
@limiter.limit(PER_ADDRESS_LIMITS, methods=["POST"], key_func=_per_address, exempt_when=_no_address)
def ask():
    """Ask for the email address or mobile number; send a new link there if it is known."""
    started = time.monotonic()
    form = LostLinkForm()
    if form.validate_on_submit():
        status_links.send_lost_links(form.contact.contact)
        take_at_least(float(current_app.config["LOST_LINK_MIN_SECONDS"]), started)
        return redirect(url_for("lost_link.sent"), code=303)
    return render_template("status/lost_link.html", form=form), (400 if form.errors else 200)


@bp.get("/lost-link/sent")
def sent():
    """The same page for everyone: what to expect, and who else can help."""
    return render_template("status/lost_link_sent.html")


@bp.errorhandler(429)
def too_many(_error):
    """Tried too often: wait, or reach the council or an advocate another way."""
    return render_template("status/lost_link_too_many.html"), 429
