"""An urgent alert nobody has seen in time goes again to the out-of-hours team, once, however
many senders run the job at the same moment; staff see on the tracker and the case that it
did. Time is counted in working hours; outside them nobody on the duty team is there, so an
unseen alert goes to the out-of-hours team at once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import time_machine

from portal.clock import LONDON, now_utc
from portal.services import safety
from tests.messages.helpers import outbox
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, send_complaint
from tests.staff.conftest import sign_in
from tests.staff.test_urgent import HITS_ME

WORRYING = {**YOUNG_PERSON, "what_happened": HITS_ME}
TUESDAY_10AM = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)  # GMT: England's time is UTC
FRIDAY_4_50PM = datetime(2027, 1, 15, 16, 50, tzinfo=UTC)
AGAIN = "urgent_alert_again"
HOURS = (time(9), time(17))


def _worry(app) -> str:
    done = send_complaint(PageClient(app.test_client()), WORRYING)
    return done.select_one("#reference").text.strip()


def _run(app, now: datetime | None = None) -> int:
    with app.app_context():
        return safety.send_unseen_alerts_again(now or now_utc())


def _run_at_once(app, senders: int = 3) -> list[int]:
    """Several senders run the job at the same moment, each in its own app context."""
    barrier, queued = threading.Barrier(senders), []

    def run() -> None:
        with app.app_context():
            barrier.wait()
            queued.append(safety.send_unseen_alerts_again(now_utc()))

    threads = [threading.Thread(target=run) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return queued


def test_an_unseen_alert_goes_again_once_after_30_working_minutes(app, make_staff):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        reference = _worry(app)
        [first] = outbox(app, "urgent_alert")
        assert first.audience == "duty"
        clock.move_to(TUESDAY_10AM + timedelta(minutes=29))
        assert _run(app) == 0, "the duty team still has time"
        clock.move_to(TUESDAY_10AM + timedelta(minutes=31))
        assert sorted(_run_at_once(app)) == [0, 0, 1], "claimed by one sender only"
        assert _run(app) == 0, "once"
        [again] = outbox(app, AGAIN)
        assert (again.to_address, again.audience) == (
            "out-of-hours@council.example",
            "out_of_hours",
        )
        assert again.body.endswith(f"/staff/cases/{reference}")
        assert "hits" not in again.body and "scared" not in again.body, "never what was typed"
        manager = sign_in(app, make_staff("manager"))
        row = manager.get("/staff/cases").select_one("table.tracker tbody tr")
        assert "Sent again to the out-of-hours team at today (12 Jan), 10:31" in row.text
        case = manager.get(f"/staff/cases/{reference}")
        assert "Sent again to the out-of-hours team" in case.select_one("#urgent-escalated").text


def test_an_alert_seen_in_time_is_not_sent_again(app, make_staff):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        manager = sign_in(app, make_staff("manager"))
        reference = _worry(app)
        clock.move_to(TUESDAY_10AM + timedelta(minutes=10))
        case = manager.get(f"/staff/cases/{reference}")
        manager.submit(case, selector=f"form[action='/staff/cases/{reference}/urgent/seen']")
        clock.move_to(TUESDAY_10AM + timedelta(hours=3))
        assert _run(app) == 0
        assert outbox(app, AGAIN) == []


def test_working_minutes_stop_at_the_end_of_the_day_and_skip_weekends_and_bank_holidays():
    friday = FRIDAY_4_50PM
    monday = datetime(2027, 1, 18, 9, 20, tzinfo=UTC)
    assert safety.working_minutes(friday, monday, HOURS) == 30
    # Good Friday and Easter Monday 2027 are bank holidays: Thursday 16:50 to Tuesday 09:10.
    thursday = datetime(2027, 3, 25, 16, 50, tzinfo=UTC)
    tuesday = datetime(2027, 3, 30, 8, 10, tzinfo=UTC)  # 09:10 in England (summer time)
    assert tuesday.astimezone(LONDON).hour == 9
    assert safety.working_minutes(thursday, tuesday, HOURS) == 20


def test_outside_working_hours_an_unseen_alert_goes_to_the_out_of_hours_team_at_once(app):
    with time_machine.travel(FRIDAY_4_50PM, tick=False) as clock:
        _worry(app)
        clock.move_to(FRIDAY_4_50PM + timedelta(minutes=9))
        assert _run(app) == 0, "9 working minutes: the duty team is still there"
        clock.move_to(FRIDAY_4_50PM + timedelta(minutes=11))
        assert _run(app) == 1, "17:01: the duty team has gone home"
    saturday_night = datetime(2027, 1, 16, 2, 0, tzinfo=UTC)
    with time_machine.travel(saturday_night, tick=False) as clock:
        _worry(app)
        clock.move_to(saturday_night + timedelta(minutes=1))
        assert _run(app) == 1
    assert len(outbox(app, AGAIN)) == 2


def test_a_new_worry_after_the_first_was_seen_can_be_sent_again(app, make_staff):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        person = PageClient(app.test_client())
        done = send_complaint(person, WORRYING)
        reference = done.select_one("#reference").text.strip()
        clock.move_to(TUESDAY_10AM + timedelta(minutes=40))
        assert _run(app) == 1
        manager = sign_in(app, make_staff("manager"))
        case = manager.get(f"/staff/cases/{reference}")
        manager.submit(case, selector=f"form[action='/staff/cases/{reference}/urgent/seen']")
        clock.move_to(TUESDAY_10AM + timedelta(minutes=50))
        page = person.get("/progress/word/help")
        person.submit(page, {"how_to_reach": "I want to kill myself"}, selector="main form")
        clock.move_to(TUESDAY_10AM + timedelta(minutes=85))
        assert _run(app) == 1, "a new flag nobody has seen"
    assert len(outbox(app, AGAIN)) == 2


def test_a_help_request_nobody_opened_goes_again_once(app, make_staff):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        person = PageClient(app.test_client())
        person.submit(person.get("/help"), {"how": "phone", "phone": "07700 900123"})
        person.submit(person.get("/help"), {"how": "phone", "phone": "07700 900124"})
        [alert] = outbox(app, "help_request_alert")
        assert "2 times" in alert.body, "asking again still folds into the first alert"
        clock.move_to(TUESDAY_10AM + timedelta(minutes=31))
        assert sorted(_run_at_once(app, 2)) == [0, 1]
        [again] = outbox(app, "help_request_alert_again")
        assert again.help_request_id == alert.help_request_id
        assert again.body.endswith(f"/staff/help/{alert.help_request_id}")
        assert "07700" not in again.body
        [alert] = outbox(app, "help_request_alert")
        assert "Sent again" not in alert.body, "the first alert is left as it was"


def test_a_help_request_someone_opened_is_not_sent_again(app, make_staff):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        manager = sign_in(app, make_staff("manager"))
        person = PageClient(app.test_client())
        person.submit(person.get("/help"), {"how": "phone", "phone": "07700 900123"})
        [alert] = outbox(app, "help_request_alert")
        manager.get(f"/staff/help/{alert.help_request_id}")
        clock.move_to(TUESDAY_10AM + timedelta(hours=2))
        assert _run(app) == 0


def test_an_alert_older_than_a_week_is_left_to_the_tracker(app):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        _worry(app)
        clock.move_to(TUESDAY_10AM + timedelta(days=8))
        assert _run(app) == 0
    assert date(2027, 1, 20) > TUESDAY_10AM.date()
