"""A visitor's time on the public pages: a session the server can end, and what it may see.

The cookie holds the session's key (`sid`), the draft's key and the complaint it may see.
None of it counts unless the server says the session is live, so Exit ends it everywhere,
even in a copy of the cookie taken before.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request, session

from portal.flows import DEFAULT_JOURNEY, JOURNEYS
from portal.services import drafts, public_sessions, safety, status_links
from portal.services.status_links import Access
from portal.types import Voice

bp = Blueprint("visit", __name__)

# Everything the public pages keep in the cookie; all of it goes when the session has ended.
PUBLIC_KEYS = (
    "sid",
    "draft",
    "status",
    "safety_help",
    "new_link",
    "asked_again",
    "word_set",
    "feedback",  # the draft of "Say thank you or share an idea" (portal/views/feedback.py)
)


def _lifetime():
    return current_app.config["PERMANENT_SESSION_LIFETIME"]


def _forget() -> None:
    for key in PUBLIC_KEYS:
        session.pop(key, None)


@bp.before_app_request
def check_session() -> None:
    """Honour what the cookie holds only while its session is live on the server."""
    asked = request._get_current_object()  # each proxy looked up once, not at every use
    if asked.endpoint == "static" or asked.path.startswith("/staff"):
        return
    visit = session._get_current_object()
    if not any(key in visit for key in PUBLIC_KEYS):
        return
    draft_key = visit.get("draft")
    live = public_sessions.live(visit.get("sid"), _lifetime(), draft_key=draft_key)
    if live is None:
        _forget()
    else:
        here = g._get_current_object()
        here.public_session_id = live.id
        if live.draft is not None:
            here.draft_read = (draft_key, live.draft)


def saved_draft() -> drafts.Saved:
    """This visitor's draft: as read with their session before the view (once: a later call
    reads it again, so it sees what was saved since), or read now."""
    key = session.get("draft")
    read = g.pop("draft_read", None)
    if read is not None and read[0] == key:
        return read[1]
    return drafts.load(key)


def session_id() -> int:
    """Return this visitor's live session, starting one if needed."""
    if g.get("public_session_id") is None:
        key, g.public_session_id = public_sessions.start()
        session["sid"] = key
        session.permanent = True
    return g.public_session_id


def fresh_session() -> int:
    """Replace the visitor's session with a new one (when a link is opened: no fixation)."""
    public_sessions.end(session.get("sid"))
    g.public_session_id = None
    return session_id()


def end_session() -> None:
    """End the session on the server and forget everything in the cookie (Exit)."""
    public_sessions.end(session.get("sid"))
    session.clear()


def current_access() -> Access:
    """The one way every public page finds the complaint this browser may see."""
    return status_links.check(session.get("status"))


def allow(access_grant: dict) -> None:
    """Let this browser see a complaint from now on."""
    session_id()
    session["status"] = access_grant
    session.permanent = True


def report_risks(risks: tuple[str, ...]) -> None:
    """Note words about harm typed in any public form; acted on once the view has run."""
    found = g.setdefault("risks", set())
    found.update(risks)
    session["safety_help"] = "adult" if _voice_here() == Voice.OTHER else "child"


def _voice_here() -> str:
    """Whose words these are: the complaint's, or the draft's so far (adults get adult help)."""
    access = current_access()
    if access.complaint is not None:
        return access.complaint.voice
    journey = JOURNEYS[DEFAULT_JOURNEY]
    return journey.state(drafts.load(session.get("draft")).answers).voice


def pending_risks() -> tuple[str, ...]:
    """Risks typed in this request, for the service that stores the words to flag with them."""
    return tuple(sorted(g.get("risks", ())))


def risks_saved() -> None:
    """The service stored the risks with the words, in one transaction: nothing left to do."""
    g.pop("risks", None)


@bp.after_app_request
def act_on_risks(response: Response) -> Response:
    """The safety net: risks no service stored (a conflict, or a form that forgot) are flagged
    on the draft and the complaint this browser holds, and the duty team is alerted."""
    risks = sorted(g.pop("risks", set()))
    if risks:
        access = current_access()
        safety.notice_risks(
            risks,
            draft_key=session.get("draft"),
            # Even before the secret word is given: words about harm are never ignored.
            complaint=access.complaint,
        )
    return response
