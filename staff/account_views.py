"""Staff pages about people: sign-in and its second step, set-up links, accounts.

Registered on the same blueprint as the case pages (staff.views.bp). Views stay thin: they read
the form, call portal/services/staff.py (which audits and commits), and show the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import segno
from flask import (
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup

from portal.services import staff as accounts
from portal.types import StaffRole
from staff import auth
from staff.views import bp

if TYPE_CHECKING:  # type hints only: views never touch models
    from portal.services.staff import Account

NO_ACCOUNT = "Check your email address and password, then try again."
WRONG_CODE = "Check the code and try again."
ALL_ROLES = tuple(StaffRole)
# This browser's own unconfirmed secret while it sets up two-step sign-in (a keyed marker).
ENROL_KEY = "staff_enrol"
DONE = {
    "added": "Account added. Their set-up link is queued to be emailed to them.",
    "role": "Role changed.",
    "disabled": "Account disabled. Their sessions have ended.",
    "reset": "Two-step sign-in reset. Their sessions have ended.",
    "link": "A new set-up link is queued to be emailed to them. Older links no longer work.",
}


def _sign_in_rate() -> str:
    return current_app.config["STAFF_SIGN_IN_RATE"]


def _limited(view):
    """The per-address request limit; a browser that signed in before is not held back by it."""
    return auth.limiter.limit(_sign_in_rate, methods=["POST"], exempt_when=auth.has_known_device)(
        view
    )


@bp.route("/sign-in", methods=["GET", "POST"])
@_limited
def sign_in():
    """Sign in. The same message for a wrong email, a wrong password and a locked account."""
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()[:254]
        device = auth.read_device()
        result = accounts.sign_in(
            email,
            request.form.get("password", "")[:1024],
            device_user_id=device.user_id if device else None,
            device_locked=auth.device_locked(device),
            address_blocked=auth.address_blocked(),
        )
        if result.throttled:
            abort(429)
        if result.user is not None:
            return auth.after_password(result.user, request.args.get("next"))
        auth.count_failure(device if result.known_device else None)
        error = NO_ACCOUNT
    return render_template(
        "staff/sign_in.html",
        error=error,
        email=email,
        timed_out=request.args.get("timed_out") == "1",
    ), (400 if error else 200)


@bp.route("/sign-in/code", methods=["GET", "POST"], endpoint="two_step")
@_limited
def two_step():
    """The second step: a code from the authenticator app, or a recovery code."""
    waiting = auth.pending("code")
    if waiting is None:
        return redirect(url_for(".sign_in"), 303)
    error = None
    if request.method == "POST":
        device = auth.device_for(waiting.user)
        if device is None and auth.address_blocked():
            abort(429)
        code = request.form.get("code", "")
        if accounts.check_code(waiting.user, code, device is not None, auth.device_locked(device)):
            return auth.finish(waiting.user, redirect(waiting.next or url_for(".home"), 303))
        auth.count_failure(device)
        error = WRONG_CODE
    return render_template("staff/two_step.html", error=error), (400 if error else 200)


@bp.post("/sign-out")
def sign_out():
    user = auth.current_staff()
    accounts.end_sessions(user, user.email)
    auth.end_session()
    return redirect(url_for(".sign_in"), 303)


@bp.route("/set-up/<token>", methods=["GET", "POST"], endpoint="set_up")
@auth.limiter.limit(_sign_in_rate, methods=["POST"])
def set_up(token: str):
    """A new person chooses their own password through their one-time link.

    Looking at the page never uses the link up; choosing a password does.
    """
    person = accounts.set_up_account(token)
    if person is None:
        return render_template("staff/set_up_invalid.html", hours=accounts.set_up_hours()), 404
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        try:
            person = accounts.choose_password(
                token, form.get("password", "")[:1024], form.get("again", "")[:1024]
            )
        except accounts.AccountError as problem:
            errors[problem.field] = str(problem)
        else:
            return auth.after_password(person, None)
    return render_template("staff/set_up.html", person=person, errors=errors), (
        400 if errors else 200
    )


def _qr_code(uri: str) -> Markup:
    """The set-up QR code as inline SVG: drawn here, no outside service, no inline styles."""
    label = "QR code for your authenticator app"
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", svgclass="qr-code", title=label
    )
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return Markup(labelled)  # noqa: S704 - segno's own markup and a fixed label


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _enrolling() -> tuple[Account | None, auth.Pending | None]:
    """Who is setting up two-step sign-in: someone signed in, or someone who must first."""
    user = auth.signed_in_user()
    if user is not None:
        g.staff = user
        return user, None
    waiting = auth.pending("set_up")
    return (waiting.user if waiting else None), waiting


def _codes_page(codes: list[str], onward: str):
    return make_response(render_template("staff/recovery_codes.html", codes=codes, onward=onward))


@bp.route("/two-step", methods=["GET", "POST"], endpoint="two_step_set_up")
def two_step_set_up():
    """Set up an authenticator app: scan, type the first code, keep the recovery codes."""
    user, waiting = _enrolling()
    if user is None:
        return redirect(url_for(".sign_in"), 303)
    if accounts.has_two_step(user):
        return redirect(url_for(".account"), 303)
    secret = accounts.start_two_step(user, session.get(ENROL_KEY))
    session[ENROL_KEY] = accounts.enrolment_marker(user)
    error = None
    if request.method == "POST":
        codes = accounts.confirm_two_step(user, request.form.get("code", ""))
        if codes is not None:
            session.pop(ENROL_KEY, None)
            if waiting is None:
                return _codes_page(codes, url_for(".account"))
            return auth.finish(user, _codes_page(codes, waiting.next or url_for(".home")))
        error = "Check the code and try again. Type the 6 digits the app shows now."
    return render_template(
        "staff/two_step_set_up.html",
        qr_code=_qr_code(accounts.two_step_uri(user)),
        key=_grouped(secret),
        error=error,
        required=auth.two_step_required(),
    ), (400 if error else 200)


@bp.get("/account", endpoint="account")
@auth.requires(*ALL_ROLES)
def account():
    """Your own account: your details and your two-step sign-in."""
    user = auth.current_staff()
    return render_template(
        "staff/account.html",
        person=user,
        two_step=accounts.has_two_step(user),
        codes_left=accounts.recovery_codes_left(user),
        required=auth.two_step_required(),
        digest_saved=request.args.get("done") == "digest",
    )


@bp.post("/account/digest", endpoint="digest")
@auth.requires(*ALL_ROLES)
def digest():
    """Turn your own daily email of cases due soon and overdue on or off."""
    accounts.set_digest(auth.current_staff(), request.form.get("digest") == "on")
    return redirect(url_for(".account", done="digest"), 303)


@bp.post("/account/recovery-codes", endpoint="recovery_codes")
@auth.requires(*ALL_ROLES)
def recovery_codes():
    """Ten new recovery codes (the old ones stop working), shown once."""
    try:
        codes = accounts.replace_recovery_codes(auth.current_staff())
    except accounts.AccountError:
        return redirect(url_for(".account"), 303)
    return _codes_page(codes, url_for(".account"))


def _accounts_page(error: accounts.AccountError | None = None):
    user = auth.current_staff()
    accounts.viewed(user.email, "accounts_viewed", "accounts")
    return render_template(
        "staff/accounts.html",
        people=accounts.everyone(),
        roles=list(StaffRole),
        error=error,
        form=request.form if error else {},
        done=DONE.get(request.args.get("done", "")),
        two_step=accounts.has_two_step,
    ), (400 if error else 200)


@bp.route("/accounts", methods=["GET", "POST"], endpoint="accounts")
@auth.requires(StaffRole.ADMIN)
def accounts_page():
    """Admins add accounts (the person sets their own password), change roles, disable them."""
    if request.method == "POST":
        form = request.form
        try:
            accounts.invite(
                form.get("email", "")[:254],
                form.get("name", "")[:120],
                form.get("role", ""),
                by=auth.current_staff().email,
            )
        except accounts.AccountError as problem:
            return _accounts_page(problem)
        return redirect(url_for(".accounts", done="added"), 303)
    return _accounts_page()


def _person_or_404(user_id: int) -> Account:
    person = accounts.by_id(user_id)
    if person is None:
        abort(404)
    return person


@bp.post("/accounts/<int:user_id>/disable")
@auth.requires(StaffRole.ADMIN)
def disable_account(user_id: int):
    person = _person_or_404(user_id)
    if person.id == auth.current_staff().id:
        abort(403)
    accounts.disable(person.email, auth.current_staff().email)
    return redirect(url_for(".accounts", done="disabled"), 303)


@bp.post("/accounts/<int:user_id>/role", endpoint="change_role")
@auth.requires(StaffRole.ADMIN)
def change_role(user_id: int):
    person = _person_or_404(user_id)
    try:
        accounts.change_role(person, request.form.get("role", ""), auth.current_staff())
    except accounts.AccountError as problem:
        return _accounts_page(problem)
    return redirect(url_for(".accounts", done="role"), 303)


@bp.post("/accounts/<int:user_id>/set-up-link", endpoint="send_set_up_link")
@auth.requires(StaffRole.ADMIN)
def send_set_up_link(user_id: int):
    """Queue a fresh set-up link to the person's own email; the admin never sees it."""
    person = _person_or_404(user_id)
    if person.disabled or person.id == auth.current_staff().id:
        abort(403)
    accounts.new_set_up_link(person, auth.current_staff().email, send=True)
    return redirect(url_for(".accounts", done="link"), 303)


@bp.post("/accounts/<int:user_id>/reset-two-step", endpoint="reset_two_step")
@auth.requires(StaffRole.MANAGER, StaffRole.ADMIN)
def reset_two_step(user_id: int):
    """Someone lost their phone: remove their second factor and end their sessions."""
    person = _person_or_404(user_id)
    user = auth.current_staff()
    if person.id == user.id:
        abort(403)
    accounts.reset_two_step(person, user.email)
    back = ".accounts" if user.role == StaffRole.ADMIN else ".team"
    return redirect(url_for(back, done="reset"), 303)


@bp.get("/team", endpoint="team")
@auth.requires(StaffRole.MANAGER)
def team():
    """Managers see who has two-step sign-in, and reset it for someone who lost their phone."""
    user = auth.current_staff()
    accounts.viewed(user.email, "team_viewed", "accounts")
    return render_template(
        "staff/team.html",
        people=[p for p in accounts.everyone() if not p.disabled],
        two_step=accounts.has_two_step,
        done=DONE.get(request.args.get("done", "")),
    )
