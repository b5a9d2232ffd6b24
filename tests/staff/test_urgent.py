"""The duty team acts on urgent flags: the tracker puts unseen ones first, staff say they saw
them, record what was done and clear them; a new risk raises the flag again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Event, OutboxMessage
from portal.services import safety
from portal.services import staff as accounts
from portal.types import EventType
from tests.pages import Page, PageClient
from tests.portal.journey import YOUNG_PERSON, send_complaint
from tests.staff.conftest import do, load, sign_in

HITS_ME = "My foster carer hits me and I am scared to go home"
KILL_MYSELF = "I want to kill myself"
WORRYING = {**YOUNG_PERSON, "what_happened": HITS_ME}
TYPED = ("hits", "scared", "foster carer")
EVENT_TEMPLATES = Path(__file__).resolve().parents[2] / "staff" / "templates" / "staff" / "events"


def _send_worry(app) -> tuple[PageClient, str]:
    """The complainant's phone, and the reference of their worrying complaint."""
    phone = PageClient(app.test_client())
    done = send_complaint(phone, WORRYING)
    return phone, done.select_one("#reference").text.strip()


def _worry_again(phone: PageClient, words: str = KILL_MYSELF) -> None:
    """The complainant types another worry, in a form on their status pages."""
    page = phone.get("/progress/word/help")
    phone.submit(page, {"how_to_reach": words}, selector="main form")


def _rows(person: PageClient, query: str = "") -> list[tuple[str, str]]:
    page = person.get("/staff/cases" + query)
    return [
        (row.select_one("td a").text, " ".join(row.select("td")[5].get_text(" ").split()))
        for row in page.select("table.tracker tbody tr")
    ]


def _press(person: PageClient, reference: str, form: str, expect: int = 200, **fields) -> Page:
    case = person.get(f"/staff/cases/{reference}")
    return person.submit(
        case,
        fields,
        selector=f"form[action='/staff/cases/{reference}/urgent/{form}']",
        expect=expect,
    )


def _audited(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


def _urgent_events(app, reference: str, kind: EventType) -> list[Event]:
    return [e for e in load(app, reference).events if e.type == kind]


def test_words_about_harm_put_the_case_first_with_what_was_found(app, manager, new_complaint):
    calm = new_complaint()
    _, reference = _send_worry(app)
    later = new_complaint()
    rows = _rows(manager)
    assert [r[0] for r in rows] == [reference, calm, later]
    cell = rows[0][1]
    assert "Urgent" in cell and "harm from others" in cell and "Not seen yet" in cell
    assert "ago" in cell and "Since " in cell
    tracker = manager.get("/staff/cases").text
    assert not [words for words in TYPED if words in tracker], "never the words typed"
    panel = manager.get(f"/staff/cases/{reference}").select_one("#urgent")
    assert "harm from others" in panel.select_one("#urgent-found").text
    assert "Not seen yet" in panel.text
    assert panel.select_one("form[action$='/urgent/seen'] button").text == "I have seen this"
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=3, minutes=5)):
        again = sign_in(app, "manager@council.example")
        assert "(3 hours ago)" in _rows(again)[0][1]


def test_seen_says_who_and_when_and_is_audited(app, manager):
    _, reference = _send_worry(app)
    page = _press(manager, reference, "seen")
    assert page.path == f"/staff/cases/{reference}"
    assert "You have seen the urgent flag." in page.select_one("#urgent-saved").text
    seen = page.select_one("#urgent-seen").text
    assert "Seen by manager@council.example at" in seen
    assert not page.select_one("form[action$='/urgent/seen']"), "once is enough"
    assert "Saw the urgent flag." in page.select_one(".staff-timeline").text
    assert "Seen by manager@council.example" in _rows(manager)[0][1]
    complaint = load(app, reference)
    assert complaint.urgent and complaint.urgent_seen_by == "manager@council.example"
    assert complaint.urgent_seen_utc is not None
    [entry] = _audited(app, "urgent_seen")
    assert (entry.actor, entry.target) == ("manager@council.example", f"complaint:{reference}")
    assert len(_urgent_events(app, reference, EventType.URGENT_SEEN)) == 1


def test_recording_each_kind_of_action(app, officer):
    _, reference = _send_worry(app)
    refused = _press(officer, reference, "action", 400, action="no_action_needed", note="")
    assert "Write why no action is needed." in refused.select_one("#urgent-note-error").text
    assert refused.select_one("#urgent-action-no_action_needed").has_attr("checked")
    refused = _press(officer, reference, "action", 400, note="Rang the carer")
    assert "Choose what was done." in refused.select_one("#urgent-action-error").text
    assert refused.select_one("#urgent-note").text == "Rang the carer", "what was typed stays"
    too_long = _press(officer, reference, "action", 400, action="called_the_child", note="x" * 2001)
    assert "at most 2,000 characters" in too_long.text
    assert not _audited(app, "urgent_action_recorded"), "nothing refused is recorded"

    done = [
        ("called_the_child", "Spoke to her at school, she is safe tonight"),
        ("referred_to_mash", ""),
        ("police_informed", "Ref 123"),
        ("no_action_needed", "Known to the team; plan in place"),
    ]
    for action, note in done:
        page = _press(officer, reference, "action", action=action, note=note)
        assert "What was done is recorded." in page.text
    history = page.select_one("#urgent-actions")
    for words in ["Called the young person", "Referred to the MASH", "Told the police", "Ref 123"]:
        assert words in history.text
    assert "Known to the team; plan in place" in history.text
    assert "Seen by officer@council.example" in page.select_one("#urgent-seen").text
    entries = _audited(app, "urgent_action_recorded")
    assert [e.data["done"] for e in entries] == [a for a, _ in done]
    assert all("note" not in e.data for e in entries), "the audit log keeps no content"
    assert len(_audited(app, "urgent_seen")) == 1, "recording an action also says it was seen"


def test_clearing_the_flag(app, manager):
    _, reference = _send_worry(app)
    refused = _press(manager, reference, "clear", 400, reason="")
    assert "Record what was done first" in refused.select_one("#urgent-clear-reason-error").text
    assert load(app, reference).urgent
    _press(manager, reference, "action", action="called_the_child", note="")
    page = _press(manager, reference, "clear", reason="")
    assert "The urgent flag is cleared." in page.text
    assert not page.select_one("#urgent")
    assert "Cleared the urgent flag raised for harm from others" in page.text
    complaint = load(app, reference)
    assert (complaint.urgent, complaint.urgent_reasons, complaint.urgent_since_utc) == (
        False,
        [],
        None,
    )
    [cleared] = _urgent_events(app, reference, EventType.URGENT_CLEARED)
    assert cleared.data["reasons"] == ["harm_from_others"]
    [entry] = _audited(app, "urgent_cleared")
    assert entry.data["reasons"] == ["harm_from_others"]
    assert "Urgent" not in _rows(manager)[0][1]
    version = str(load(app, reference).version)
    gone = manager.post(
        f"/staff/cases/{reference}/urgent/seen",
        {"csrf_token": _csrf(manager), "version": version},
        expect=400,
    )
    assert "This case is not flagged urgent now." in gone.select_one("#urgent-error").text


def test_a_flag_can_be_cleared_with_a_reason_alone(app, manager):
    _, reference = _send_worry(app)
    _press(manager, reference, "clear", reason="Duplicate of a case the MASH already holds")
    [cleared] = _urgent_events(app, reference, EventType.URGENT_CLEARED)
    assert cleared.note == "Duplicate of a case the MASH already holds"
    assert not load(app, reference).urgent


def test_a_new_risk_after_clearing_or_seeing_raises_the_flag_again(app, manager, new_complaint):
    phone, reference = _send_worry(app)
    _press(manager, reference, "clear", reason="Spoke to the social worker")
    calm = new_complaint()
    assert "Urgent" not in dict(_rows(manager))[reference]
    _worry_again(phone)
    rows = _rows(manager)
    assert [r[0] for r in rows] == [reference, calm]
    assert "self-harm" in rows[0][1] and "Not seen yet" in rows[0][1]
    assert "harm from others" not in rows[0][1], "a cleared flag's reasons are not raised again"

    _press(manager, reference, "seen")
    assert "Seen by" in _rows(manager)[0][1]
    _worry_again(phone)
    assert "Not seen yet" in _rows(manager)[0][1], "a fresh risk never hides behind a seen flag"
    assert load(app, reference).urgent_seen_by is None


def test_an_unseen_flag_outranks_a_seen_one(app, manager, new_complaint):
    calm = new_complaint()
    _, first = _send_worry(app)
    _, second = _send_worry(app)
    assert [r[0] for r in _rows(manager)] == [first, second, calm], "longest waiting first"
    _press(manager, first, "seen")
    rows = _rows(manager)
    assert [r[0] for r in rows] == [second, first, calm]
    assert "Not seen yet" in rows[0][1] and "Seen by" in rows[1][1]
    assert [r[0] for r in _rows(manager, "?urgent=1")] == [second, first]


def _csrf(person: PageClient) -> str:
    return person.get("/staff/cases").form_data("form.inline-form")[1]["csrf_token"]


def test_investigators_act_only_on_their_own_cases(app, manager, make_staff):
    _, reference = _send_worry(app)
    investigator = sign_in(app, make_staff("investigator"))
    version = str(load(app, reference).version)
    for form in ("seen", "action", "clear"):
        investigator.post(
            f"/staff/cases/{reference}/urgent/{form}",
            {"csrf_token": _csrf(investigator), "version": version, "reason": "x"},
            expect=404,
        )
    assert not load(app, reference).urgent_seen_by
    with app.app_context():
        investigator_id = accounts.by_email("investigator@council.example").id
    do(manager, reference, "assign", assignee=str(investigator_id))
    page = _press(investigator, reference, "seen")
    assert "Seen by investigator@council.example" in page.select_one("#urgent-seen").text


def test_a_page_someone_else_changed_gets_409_and_changes_nothing(app, manager, make_staff):
    phone, reference = _send_worry(app)
    officer = sign_in(app, make_staff("officer"))
    old_page = officer.get(f"/staff/cases/{reference}")
    _press(manager, reference, "seen")
    _worry_again(phone)
    clash = officer.submit(
        old_page,
        {"action": "no_action_needed", "note": "Looked fine yesterday"},
        selector="#urgent-action-form",
        expect=409,
    )
    assert "someone else changed this case" in clash.select_one("#urgent-error").text.lower()
    assert "self-harm" in clash.select_one("#urgent-found").text, "the page shows the new risk"
    assert clash.select_one("#urgent-note").text == "Looked fine yesterday"
    assert not _urgent_events(app, reference, EventType.URGENT_ACTION_RECORDED)
    stale_clear = officer.submit(
        old_page, {"reason": "All fine"}, selector="#urgent-clear-form", expect=409
    )
    assert stale_clear.select_one("#urgent")
    assert load(app, reference).urgent
    assert not _audited(app, "urgent_cleared")
    retried = officer.submit(clash, {"action": "called_the_child"}, selector="#urgent-action-form")
    assert "Called the young person" in retried.select_one("#urgent-actions").text


def test_the_same_worry_again_makes_an_older_page_stale_but_sends_no_second_alert(app, manager):
    phone, reference = _send_worry(app)
    old_page = manager.get(f"/staff/cases/{reference}")
    _worry_again(phone, HITS_ME)
    manager.submit(old_page, selector="form[action$='/urgent/seen']", expect=409)
    complaint = load(app, reference)
    assert complaint.urgent_seen_by is None
    assert [e.type for e in complaint.events].count(EventType.FLAGGED_URGENT) == 2
    with app.app_context():
        alerts = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == safety.URGENT_ALERT)
        ).all()
    assert len(alerts) == 1, "one alert until someone has seen the first"
    _press(manager, reference, "seen")
    assert load(app, reference).urgent_seen_by == "manager@council.example"


def test_every_event_type_has_a_staff_template():
    missing = [kind.value for kind in EventType if not (EVENT_TEMPLATES / f"{kind}.html").is_file()]
    assert not missing


def _utc_minute(value) -> str | None:
    """A stored moment as "YYYY-MM-DD HH:MM" in UTC (SQLite hands back text, PostgreSQL not)."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat(" ")
    return value[:16] if value else None


def test_migration_0006_starts_flags_already_raised(database_url):
    """Complaints urgent before revision 0006 are raised from their latest flag (or receipt)."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from portal.migrate import alembic_config

    config = alembic_config(database_url)
    command.downgrade(config, "0005")
    engine = create_engine(database_url)
    columns = (
        "public_id, reference, journey, voice, complainant_role, contact_method, answers,"
        " received_on, received_utc, status_link_version, secret_word_version,"
        " secret_word_failures, withdrawal_to_check, eligibility, eligibility_reason, time_limit,"
        " time_limit_reason, legal_proceedings, legal_proceedings_reason, consent, consent_reason,"
        " advocacy, urgent, urgent_reasons, legal_hold, stage, procedure, version, outcomes_sought"
    )
    values = (
        "'p{n}', '{ref}', 'complaint', 'self', 'care_leaver', 'link_only', '{{}}', '2026-11-02',"
        " '2026-11-02 10:00:00+00', 1, 0, 0, :no, 'as_of_right', 'r', 'in_time', 'r', 'none', 'r',"
        " 'not_needed', 'r', 'not_wanted', :urgent, '[]', :no, 'triage', 'statutory', 1, '[]'"
    )
    try:
        with engine.begin() as connection:
            for n, (ref, urgent) in enumerate(
                [("FLAG-GEDA", True), ("NOEV-ENTS", True), ("CALM-CASE", False)]
            ):
                connection.execute(
                    text(
                        f"INSERT INTO complaint ({columns}) VALUES ({values.format(n=n, ref=ref)})"
                    ),
                    {"no": False, "urgent": urgent},
                )
            connection.execute(
                text(
                    "INSERT INTO event (complaint_id, type, at_utc, actor, data) SELECT id, :type,"
                    " :at, 'complainant', '{}' FROM complaint WHERE reference = 'FLAG-GEDA'"
                ),
                [
                    {"type": "flagged_urgent", "at": "2026-11-03 09:00:00+00"},
                    {"type": "help_requested", "at": "2026-11-04 12:30:00+00"},
                    {"type": "acknowledged", "at": "2026-11-05 08:00:00+00"},
                ],
            )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT reference, urgent_since_utc, urgent_seen_by FROM complaint")
            ).all()
        since = {ref: _utc_minute(at) for ref, at, _ in rows}
        assert since == {
            "FLAG-GEDA": "2026-11-04 12:30",
            "NOEV-ENTS": "2026-11-02 10:00",
            "CALM-CASE": None,
        }
        assert {seen for _, _, seen in rows} == {None}
    finally:
        command.upgrade(config, "head")
        engine.dispose()
