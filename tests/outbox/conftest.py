"""Fixtures for the sender: a real SMTP server, a Notify-like server, apps wired to them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal.clock import now_utc
from portal.extensions import db
from portal.models import OutboxMessage
from portal.outbox.sender import Report, Sender
from portal.outbox.transports import message_id_for
from tests.outbox.servers import NotifyServer, SmtpServer
from tests.pages import Page, PageClient
from tests.staff.conftest import make_staff  # noqa: F401 - fixture

# Tiny waits between tries, so a test never sleeps: the next run_once finds them due.
FAST = {
    "OUTBOX_RETRY_BASE_SECONDS": 0.001,
    "OUTBOX_RETRY_MAX_SECONDS": 0.002,
    "MAIL_TIMEOUT_SECONDS": 5,
    "MAIL_FROM": "Speak Up <speakup@council.example>",
}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def notify() -> Iterator[NotifyServer]:
    server = NotifyServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(make_app, smtp):
    return make_app(MAIL_URL=smtp.url, **FAST)


@pytest.fixture
def notify_app(make_app, notify):
    return make_app(
        MAIL_URL="notify://",
        NOTIFY_API_KEY=notify.key,
        NOTIFY_EMAIL_TEMPLATE_ID=notify.email_template,
        NOTIFY_SMS_TEMPLATE_ID=notify.sms_template,
        NOTIFY_BASE_URL=notify.base_url,
        **FAST,
    )


def queue(
    app,
    count: int = 1,
    to: str = "jo.bloggs@example.com",
    channel: str = "email",
    kind: str = "update",
    audience: str = "complainant",
) -> list[int]:
    """Put messages in the outbox the way services do; return their ids."""
    with app.app_context():
        rows = [
            OutboxMessage(
                kind=kind,
                channel=channel,
                audience=audience,
                to_address=to,
                subject=f"An update from Speak Up ({n + 1})",
                body="There is an update. Open your private link to see it.",
                created_utc=now_utc(),
            )
            for n in range(count)
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def messages(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def send_once(app, **kwargs) -> Report:
    """One `flask outbox send --once`: run the sender over what is due now."""
    with app.app_context():
        return Sender(run_jobs=False, **kwargs).run_once()


def drain(app, runs: int = 10, **kwargs) -> Report:
    """Run the sender until a run has nothing left to do (or `runs` runs)."""
    total = Report()
    for _ in range(runs):
        time.sleep(0.005)  # past any wait FAST set after a failure
        report = send_once(app, **kwargs)
        total.add(report)
        if not (report.sent or report.retrying or report.failed or report.not_sendable):
            break
    return total


class QuickPages(PageClient):
    """The conversation without checking each page's markup (tests/portal does that): twice
    as fast, for tests that walk it many times."""

    def _page(self, response, expect: int) -> Page:
        assert response.status_code == expect, response.request.path
        return Page(response, BeautifulSoup(response.get_data(as_text=True), "html.parser"))


@pytest.fixture
def outbox_ids() -> Callable[[list[OutboxMessage]], set[str]]:
    return lambda rows: {message_id_for(row.idempotency_key) for row in rows}
