"""Where messages go. One setting, MAIL_URL, chooses:

- unset: each message is written as an `.eml` file in `instance/mail/` (nothing leaves the
  machine). The file is named after the message, so a retry rewrites it rather than adding one.
- `smtp://host:port` (`?starttls=true` to upgrade to TLS first) or
  `smtps://user:password@host:port` (TLS from the start): a real SMTP server, with a
  `Message-ID: <idempotency key@speakup>` header so a retry can be recognised downstream.
- `notify://`: GOV.UK Notify through its official client, with `reference` = the idempotency
  key. Text messages go only this way: with files or SMTP a text message is not sendable.

A transport raises `TemporaryFailure` (try again later), `PermanentFailure` (it will never go:
the address was refused) or `NotSendable` (this route cannot carry it). Each carries a short code
for `outbox_message.last_error`: an error class and a status number, never an address, a body
or what a server said (servers repeat the address back).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import APIError

from portal.clock import now_utc
from portal.config import mail_problems, wants_starttls

SMS = "sms"
EMAIL = "email"
MESSAGE_ID_DOMAIN = "speakup"
# Lines up to RFC 5322's limit, so a long Message-ID is never folded onto a second line.
_POLICY = email_policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class Outgoing:
    """What a transport needs to deliver one message (a copy, free of the database session)."""

    id: int
    kind: str
    channel: str
    to_address: str
    subject: str
    body: str
    idempotency_key: str


class DeliveryError(Exception):
    """A message did not go. `code` is safe to store and show: no personal data."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code[:300]


class TemporaryFailure(DeliveryError):
    """Try again later (the server is down, busy, or said 4xx)."""


class PermanentFailure(DeliveryError):
    """It will never go as it is (the address was refused): fail now, show staff."""


class NotSendable(DeliveryError):
    """This route cannot carry this kind of message (a text message without Notify)."""


class Transport(Protocol):
    description: str

    def send(self, message: Outgoing) -> str:
        """Deliver the message; return the provider's reference for it."""
        ...

    def close(self) -> None:
        """Let go of any connection (called after each batch)."""
        ...


def message_id_for(key: str) -> str:
    """`<key@speakup>`. A key may hold characters a Message-ID cannot (a colon), so anything but
    letters, digits, `-` and `_` is written as `=XX`: the same key always gives the same id,
    and two keys never share one."""
    safe = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_") else _escaped(ch) for ch in key
    )
    return f"<{safe}@{MESSAGE_ID_DOMAIN}>"


def _escaped(ch: str) -> str:
    return "".join(f"={byte:02X}" for byte in ch.encode())


def message_id(message: Outgoing) -> str:
    return message_id_for(message.idempotency_key)


def as_email(message: Outgoing, mail_from: str) -> EmailMessage:
    """The message as plain-text email, with its idempotency key as the Message-ID.

    A message that cannot be written as email (a line break in an address) never will be.
    """
    email = EmailMessage(policy=_POLICY)
    try:
        email["From"] = mail_from
        email["To"] = message.to_address
        email["Subject"] = message.subject
        email["Date"] = format_datetime(now_utc())
        email["Message-ID"] = message_id(message)
        email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
        email.set_content(message.body)
    except (ValueError, TypeError) as error:
        raise PermanentFailure(f"not_an_email_{type(error).__name__}") from None
    return email


def _text_needs_notify(message: Outgoing) -> None:
    if message.channel == SMS:
        raise NotSendable("sms_needs_notify")
    if message.channel != EMAIL:
        raise NotSendable("unknown_channel")


class FileTransport:
    """Writes each message to `<directory>/<id>-<kind>-<key>.eml` (the default for make run)."""

    def __init__(self, directory: Path, mail_from: str) -> None:
        self.directory = Path(directory)
        self.mail_from = mail_from
        self.description = f"writing each message to a file in {self.directory}/"

    def path_for(self, message: Outgoing) -> Path:
        kind = re.sub(r"[^a-z0-9_-]", "_", message.kind.lower())[:40]
        return self.directory / f"{message.id:07d}-{kind}-{message.idempotency_key}.eml"

    def send(self, message: Outgoing) -> str:
        _text_needs_notify(message)
        path = self.path_for(message)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".eml.partial")
            partial.write_bytes(bytes(as_email(message, self.mail_from)))
            partial.replace(path)  # whole or not at all: a reader never sees half a message
        except OSError as error:
            raise TemporaryFailure(f"file_{type(error).__name__}") from None
        return f"file:{path.name}"

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url)
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "",
            port=parts.port or (465 if implicit else 25),
            implicit_tls=implicit,
            starttls=not implicit and wants_starttls(parts.query),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def _smtp_code(error: Exception) -> int:
    code = getattr(error, "smtp_code", None)
    return code if isinstance(code, int) else 0


class SmtpTransport:
    """A real SMTP server. One connection per batch; any error drops it and the next message
    connects again."""

    def __init__(self, url: str, mail_from: str, timeout: float) -> None:
        self.settings = SmtpSettings.from_url(url)
        self.mail_from = mail_from
        self.envelope_from = parseaddr(mail_from)[1]
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None
        tls = "TLS" if self.settings.implicit_tls or self.settings.starttls else "no TLS"
        # Never the password: this is printed when the sender starts.
        self.description = f"SMTP at {self.settings.host}:{self.settings.port} ({tls})"

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        if s.implicit_tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=self.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if s.starttls:
                connection.starttls(context=context)
                connection.ehlo()
            if s.username:
                connection.login(s.username, s.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, message: Outgoing) -> str:
        _text_needs_notify(message)
        email = as_email(message, self.mail_from)
        try:
            if self._connection is None:
                self._connection = self._connect()
            self._connection.send_message(
                email, from_addr=self.envelope_from, to_addrs=[message.to_address]
            )
        except Exception as error:
            self.close()
            raise _smtp_failure(error) from None
        return message_id(message)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()


def _smtp_failure(error: Exception) -> DeliveryError:
    """Sort an SMTP error into try-again or give-up, keeping only its class and code."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _said in error.recipients.values()] or [0]
        code = min(codes)
        failure = PermanentFailure if 500 <= code < 600 else TemporaryFailure
        return failure(f"smtp_recipient_refused_{code}")
    if isinstance(error, smtplib.SMTPDataError):
        code = _smtp_code(error)
        failure = PermanentFailure if 500 <= code < 600 else TemporaryFailure
        return failure(f"smtp_message_refused_{code}")
    if isinstance(error, smtplib.SMTPSenderRefused):
        # Our own MAIL_FROM: a setting to fix, then every message can go.
        return TemporaryFailure(f"smtp_sender_refused_{_smtp_code(error)}")
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return TemporaryFailure(f"smtp_login_refused_{_smtp_code(error)}")
    if isinstance(error, smtplib.SMTPResponseException):
        return TemporaryFailure(f"smtp_{type(error).__name__}_{_smtp_code(error)}")
    if isinstance(error, ssl.SSLError):
        return TemporaryFailure("smtp_tls_failed")
    if isinstance(error, smtplib.SMTPException | OSError):
        return TemporaryFailure(f"smtp_unavailable_{type(error).__name__}")
    return TemporaryFailure(f"smtp_error_{type(error).__name__}")


class NotifyTransport:
    """GOV.UK Notify, through its official client. Templates take ((subject)) and ((body))."""

    def __init__(
        self,
        api_key: str,
        email_template_id: str,
        sms_template_id: str,
        base_url: str,
        timeout: float,
    ) -> None:
        # The client is not thread-safe: each sender (and each thread) builds its own.
        self.client = NotificationsAPIClient(api_key.strip(), base_url=base_url, timeout=timeout)
        self.email_template_id = email_template_id
        self.sms_template_id = sms_template_id
        self.description = f"GOV.UK Notify at {base_url}"

    def send(self, message: Outgoing) -> str:
        personalisation = {"subject": message.subject, "body": message.body}
        try:
            if message.channel == SMS:
                if not self.sms_template_id:
                    raise NotSendable("no_notify_sms_template")
                answer = self.client.send_sms_notification(
                    phone_number=message.to_address,
                    template_id=self.sms_template_id,
                    personalisation=personalisation,
                    reference=message.idempotency_key,
                )
            elif message.channel == EMAIL:
                answer = self.client.send_email_notification(
                    email_address=message.to_address,
                    template_id=self.email_template_id,
                    personalisation=personalisation,
                    reference=message.idempotency_key,
                )
            else:
                raise NotSendable("unknown_channel")
        except APIError as error:
            raise _notify_failure(error) from None
        reference = answer.get("id") if isinstance(answer, dict) else None
        if not reference:
            raise TemporaryFailure("notify_no_id")
        return str(reference)[:100]

    def close(self) -> None:
        pass


def _notify_error_name(error: Any) -> str:
    """Notify's own error class ("BadRequestError", "ValidationError"), never its message."""
    try:
        name = error.response.json()["errors"][0]["error"]
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        return ""
    return re.sub(r"[^A-Za-z]", "", str(name))[:40]


def _notify_failure(error: Any) -> DeliveryError:
    """400: the request can never succeed (a bad address or template). Anything else, including
    403 (a key to fix), 429 (too fast) and 5xx, is worth trying again."""
    status = getattr(error, "status_code", 0)
    response = getattr(error, "response", None)
    if response is None:
        return TemporaryFailure("notify_unavailable")
    name = _notify_error_name(error)
    code = f"notify_{status}" + (f"_{name}" if name else "")
    return PermanentFailure(code) if status == 400 else TemporaryFailure(code)


class MailSettingsError(ValueError):
    """MAIL_URL and its companions cannot make a transport; the message names what to set."""


def transport_for(config: Mapping[str, Any], instance_path: str) -> Transport:
    """Build the transport MAIL_URL chooses, or raise MailSettingsError naming what is missing."""
    problems = mail_problems(config)
    if problems:
        raise MailSettingsError("; ".join(problems))
    url = str(config.get("MAIL_URL") or "")
    mail_from = str(config.get("MAIL_FROM") or "")
    timeout = float(config.get("MAIL_TIMEOUT_SECONDS") or 20)
    scheme = urlsplit(url).scheme
    if not url:
        return FileTransport(Path(instance_path) / "mail", mail_from)
    if scheme in ("smtp", "smtps"):
        return SmtpTransport(url, mail_from, timeout)
    return NotifyTransport(
        str(config.get("NOTIFY_API_KEY") or ""),
        str(config.get("NOTIFY_EMAIL_TEMPLATE_ID") or ""),
        str(config.get("NOTIFY_SMS_TEMPLATE_ID") or ""),
        str(config.get("NOTIFY_BASE_URL") or ""),
        timeout,
    )
