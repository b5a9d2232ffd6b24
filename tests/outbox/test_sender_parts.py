"""The default file transport, settings, the command, the periodic jobs and the small parts."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigError, mail_problems
from portal.outbox import schedule
from portal.outbox.sender import Sender, backoff
from portal.outbox.transports import (
    FileTransport,
    NotifyTransport,
    Outgoing,
    SmtpSettings,
    SmtpTransport,
    message_id_for,
)
from portal.services.outbox import mask
from tests.outbox.conftest import FAST, messages, queue, send_once

NOTIFY_KEY = "speakup-" + "1" * 36 + "-" + "2" * 36


def test_with_mail_url_unset_each_message_is_an_eml_file_in_instance_mail(make_app):
    app = make_app(**FAST)
    [email_id, sms_id] = [queue(app)[0], queue(app, channel="sms", to="07700 900123")[0]]
    report = send_once(app)
    assert (report.sent, report.not_sendable) == (1, 1)
    folder = Path(app.instance_path) / "mail"
    [written] = list(folder.glob("*.eml"))
    rows = {row.id: row for row in messages(app)}
    assert written.name.startswith(f"{email_id:07d}-update-")
    email = message_from_bytes(written.read_bytes(), policy=default_policy)
    assert email["Message-ID"] == message_id_for(rows[email_id].idempotency_key)
    assert email["To"] == "jo.bloggs@example.com" and email["Subject"] == rows[email_id].subject
    assert rows[email_id].provider_ref == f"file:{written.name}"
    assert (rows[sms_id].status, rows[sms_id].last_error) == ("not_sendable", "sms_needs_notify")
    assert not list(folder.glob("*.partial"))


def test_a_file_written_again_replaces_the_first(tmp_path):
    transport = FileTransport(tmp_path, "Speak Up <speakup@council.example>")
    message = Outgoing(7, "update", "email", "jo@example.com", "Hello", "Body", "key:with:colons")
    transport.send(message)
    transport.send(message)
    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_message_ids_are_valid_and_one_per_key():
    plain = message_id_for("0123abcd")
    assert plain == "<0123abcd@speakup>"
    odd = message_id_for("received:abc:complainant")
    assert odd == "<received=3Aabc=3Acomplainant@speakup>"
    assert message_id_for("a:b") != message_id_for("a=3Ab")
    email = message_from_bytes(f"Message-ID: {odd}\n\nx".encode(), policy=default_policy)
    assert email["Message-ID"] == odd


def test_mail_url_chooses_the_transport(make_app, tmp_path):
    def transport(**settings):
        with make_app(**settings).app_context():
            return Sender(run_jobs=False).transport

    assert isinstance(transport(), FileTransport)
    smtp = transport(MAIL_URL="smtp://mail.internal:2525?starttls=true")
    assert isinstance(smtp, SmtpTransport)
    assert smtp.settings == SmtpSettings("mail.internal", 2525, False, True, None, None)
    secure = SmtpSettings.from_url("smtps://user%40council:p%40ss@mail.internal")
    assert secure == SmtpSettings("mail.internal", 465, True, False, "user@council", "p@ss")
    assert "p@ss" not in SmtpTransport("smtps://u:p%40ss@mail.internal", "a@b.c", 5).description
    notify = transport(
        MAIL_URL="notify://", NOTIFY_API_KEY=NOTIFY_KEY, NOTIFY_EMAIL_TEMPLATE_ID="t"
    )
    assert isinstance(notify, NotifyTransport)
    assert notify.client.service_id == "1" * 36 and notify.client.api_key == "2" * 36
    assert notify.client.base_url == "https://api.notifications.service.gov.uk"


def test_a_mail_url_that_cannot_work_stops_the_app_or_the_sender(make_app, tmp_path):
    for bad in ("smtp:/mail.internal", "stmp://mail.internal:25", "smtp://mail.internal:port"):
        with pytest.raises(ConfigError, match="MAIL_URL"):
            make_app(MAIL_URL=bad)
    app = make_app(MAIL_URL="notify://")
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--once"])
    assert result.exit_code == 1
    assert "NOTIFY_API_KEY" in result.output and "NOTIFY_EMAIL_TEMPLATE_ID" in result.output


def test_production_names_what_each_mail_route_needs():
    base = {"MAIL_FROM": ""}
    assert mail_problems({**base, "MAIL_URL": ""}, production=True) == []
    smtp = mail_problems({**base, "MAIL_URL": "smtp://u:p@mail.internal:25"}, production=True)
    assert [line.split()[0] for line in smtp] == ["MAIL_FROM", "MAIL_URL"]
    fine = {"MAIL_FROM": "Speak Up <speakup@somewhere-council.gov.uk>"}
    assert mail_problems({**fine, "MAIL_URL": "smtps://u:p@mail.internal"}, production=True) == []
    assert mail_problems({**fine, "MAIL_URL": "smtp://u:p@mail.internal?starttls=true"}, True) == []
    example = {"MAIL_FROM": "speakup@council.example", "MAIL_URL": "smtp://mail.internal"}
    assert mail_problems(example, production=True) == ["MAIL_FROM (the address messages come from)"]
    notify = mail_problems({"MAIL_URL": "notify://", "NOTIFY_BASE_URL": "http://x"}, True)
    assert [line.split()[0] for line in notify] == [
        "NOTIFY_API_KEY",
        "NOTIFY_EMAIL_TEMPLATE_ID",
        "NOTIFY_BASE_URL",
    ]


def test_production_with_mail_url_unset_starts_but_the_sender_refuses(tmp_path, monkeypatch):
    monkeypatch.delenv("MAIL_URL", raising=False)
    settings = {
        "ENVIRONMENT": "production",
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "a" * 64,
        "PUBLIC_BASE_URL": "https://speakup.somewhere-council.gov.uk",
        "DATABASE_URL": "postgresql+psycopg://speakup@127.0.0.1:9/speakup",
        "DUTY_TEAM_EMAIL": "duty.team@somewhere-council.gov.uk",
        "COUNCIL_OUT_OF_HOURS_PHONE": "0300 555 0199",
        "CHILDRENS_SERVICES_PHONE": "0300 555 0111",
        "COUNCIL_COMPLAINTS_PHONE": "0300 555 0100",
        "COUNCIL_COMPLAINTS_EMAIL": "complaints@somewhere-council.gov.uk",
        "ADVOCACY_SERVICE_CONTACT": "0808 555 0123",
    }
    app = create_app(settings)
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--once"])
    assert result.exit_code == 1 and "MAIL_URL is not set" in result.output
    with pytest.raises(ConfigError, match="NOTIFY_API_KEY"):
        create_app({**settings, "MAIL_URL": "notify://"})


def test_the_command_sends_what_is_due_and_says_where(make_app):
    app = make_app(**FAST)
    queue(app, 2)
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--once"])
    assert result.exit_code == 0, result.output
    assert "writing each message to a file in" in result.output
    assert "2 sent, 0 to try again, 0 failed, 0 not sendable" in result.output


def test_the_sender_process_stops_cleanly_on_sigterm(tmp_path):
    """`flask outbox send` runs until told to stop, and stops at once when it is."""
    from portal.migrate import upgrade

    database = f"sqlite:///{tmp_path / 'speakup.db'}"
    upgrade(database)
    flask = Path(sys.executable).parent / "flask"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "FLASK_APP": "portal",
        "SPEAKUP_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database,
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [str(flask), "outbox", "send", "--poll-seconds", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("Sending messages: writing each message to a file"), first
        time.sleep(0.5)  # a few turns of the loop
        assert process.poll() is None, "it keeps running"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "The sender has stopped." in out


def test_due_jobs_run_once_per_interval_and_a_failing_job_stops_nothing(make_app, monkeypatch):
    app = make_app(**FAST)
    ran = []

    def hourly(now):
        ran.append(("hourly", now))
        return 0

    def broken(now):
        raise RuntimeError("a bug")

    monkeypatch.setattr(schedule, "JOBS", {})
    schedule.job("hourly", timedelta(hours=1))(hourly)
    schedule.job("broken", timedelta(seconds=0))(broken)
    monkeypatch.setattr("portal.outbox.sender.JOBS", schedule.JOBS)
    queue(app)
    with app.app_context():
        sender = Sender()
        first = sender.run_once()
        second = sender.run_once()
    assert first.jobs == ["hourly", "broken"] and first.sent == 1
    assert second.jobs == ["broken"], "the hourly job waits for its hour"
    assert len(ran) == 1


def test_backoff_is_full_jitter_under_a_growing_ceiling():
    rng = random.Random(4)
    for attempts, ceiling in [(1, 5), (2, 10), (3, 20), (4, 40), (5, 60), (50, 60), (500, 60)]:
        waits = [backoff(attempts, 5, 60, rng).total_seconds() for _ in range(200)]
        assert min(waits) >= 0 and max(waits) <= ceiling
        assert max(waits) > ceiling * 0.8, "spread over the whole range"


def test_addresses_are_masked():
    assert mask("jo.bloggs@example.com") == "j***@example.com"
    assert mask("07700 900123") == "********123"
    assert mask("+44 7700 900123") == "*********123"
    assert mask("12") == "***"


def test_each_round_of_the_sender_checkpoints_the_log_not_a_web_request(make_app, monkeypatch):
    """On SQLite the sender copies the write-ahead log into the database after each round
    (extensions.checkpoint), so no answer waits for a checkpoint: a web connection makes one
    only when the log reaches SQLITE_CHECKPOINT_PAGES. On PostgreSQL there is nothing to do."""
    from portal import extensions
    from portal.outbox import sender as sender_module

    app = make_app(**FAST)
    engine = app.extensions["database"][0]
    rounds: list[object] = []

    def checkpointing(on):
        rounds.append(extensions.checkpoint(on))
        sending.stop()

    monkeypatch.setattr(sender_module, "checkpoint", checkpointing)
    queue(app, 3)  # writes for the log to hold
    with app.app_context():
        sending = Sender(run_jobs=False)
    guard = threading.Timer(5, sending.stop)  # a sender that never checkpoints still stops
    guard.start()
    try:
        sending.run_forever(poll_seconds=0.01, app=app)
    finally:
        guard.cancel()
    assert len(rounds) == 1
    if engine.dialect.name != "sqlite":
        assert rounds == [None]
        return
    busy, logged, copied = rounds[0]
    assert busy == 0 and logged > 0 and copied == logged  # all of it, at once
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert pages == extensions.SQLITE_CHECKPOINT_PAGES
