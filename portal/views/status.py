"""The private status page, reached only through a signed link."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for

from portal.services import complaints, status_links
from portal.services.status_links import LinkProblem

bp = Blueprint("status", __name__)


def _problem_page(problem: LinkProblem | None):
    return render_template("status/link_problem.html", problem=problem)


@bp.get("/s/<token>")
def open_link(token: str):
    """Swap the token for a session and move to a clean URL, so the token leaves history."""
    access = status_links.redeem(token)
    if access.complaint is None:
        session.pop("status", None)
        return _problem_page(access.problem)
    session["status"] = {"c": access.complaint.public_id, "v": access.complaint.status_link_version}
    session.permanent = True
    return redirect(url_for("status.progress"), code=303)


def _current_access() -> status_links.Access:
    held = session.get("status")
    if not isinstance(held, dict):
        return status_links.Access(None, None)
    return status_links.check(held.get("c"), held.get("v"))


@bp.get("/progress")
def progress():
    access = _current_access()
    if access.complaint is None:
        session.pop("status", None)
        return _problem_page(access.problem)
    complaint = access.complaint
    new_token = session.pop("new_link", None)
    asked_again = session.pop("asked_again", False)
    return render_template(
        "status/progress.html",
        status=complaints.status_of(complaint),
        told_us=complaints.told_us(complaint),
        asked_again=asked_again,
        new_link=url_for("status.open_link", token=new_token, _external=True)
        if new_token
        else None,
    )


@bp.get("/progress/copy")
def copy():
    """Download a copy of what the person told us, as plain text."""
    access = _current_access()
    if access.complaint is None:
        return _problem_page(access.problem)
    text = render_template(
        "status/copy.txt",
        status=complaints.status_of(access.complaint),
        told_us=complaints.told_us(access.complaint),
    )
    response = make_response(text)
    response.mimetype = "text/plain"
    response.headers["Content-Disposition"] = 'attachment; filename="my-answers.txt"'
    return response


@bp.route("/progress/withdraw", methods=["GET", "POST"])
def withdraw():
    """Stop the complaint, after a plain check that this is what they want."""
    access = _current_access()
    if access.complaint is None:
        return _problem_page(access.problem)
    if request.method == "POST":
        complaints.withdraw(access.complaint)
        return redirect(url_for("status.progress"), code=303)
    return render_template("status/withdraw.html", status=complaints.status_of(access.complaint))


@bp.post("/progress/still-not-happy")
def still_not_happy():
    """One tap asks for the next stage; a late request goes to a manager, never refused here."""
    access = _current_access()
    if access.complaint is None:
        return _problem_page(access.problem)
    words = request.form.get("words", "")
    if complaints.still_not_happy(access.complaint, words):
        session["asked_again"] = True
    return redirect(url_for("status.progress"), code=303)


@bp.post("/progress/new-link")
def new_link():
    """Give the person a fresh link and switch off every old one (for example, if it was seen)."""
    access = _current_access()
    if access.complaint is None:
        return _problem_page(access.problem)
    token = status_links.reissue(access.complaint, actor=complaints.COMPLAINANT)
    session["status"] = {"c": access.complaint.public_id, "v": access.complaint.status_link_version}
    session["new_link"] = token
    return redirect(url_for("status.progress"), code=303)
