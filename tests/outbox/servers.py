"""Real servers for the sender's tests, started in the test process.

- `SmtpServer`: aiosmtpd on a free port. It keeps every message it accepts, can refuse chosen
  recipients for good (550) or for now (451), and can be stopped and started again on the same
  port to make an outage.
- `NotifyServer`: a small HTTP server that follows GOV.UK Notify's published API for sending
  (`POST /v2/notifications/email` and `/v2/notifications/sms`): it checks the JWT bearer token
  the way Notify does (HS256 signed with the key's secret, `iss` the service id, `iat` within 30
  seconds), answers 201 with a notification id, 400 for refused addresses, and can be told to
  answer 500 first.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port nobody is using now (aiosmtpd cannot start on port 0: it connects to check)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: dict[str, str] = {}  # address -> the SMTP answer to RCPT
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = _Inbox()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, address: str, answer: str = "550 5.1.1 No such user here") -> None:
        self.inbox.refuse[address] = answer

    def accept(self, address: str) -> None:
        self.inbox.refuse.pop(address, None)

    @property
    def messages(self) -> list[EmailMessage]:
        with self.inbox.lock:
            return list(self.inbox.messages)

    def message_ids(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.messages)


@dataclass
class NotifyServer:
    """Notify's sending API, on 127.0.0.1. `key` is an API key as Notify issues them."""

    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    email_template: str = field(default_factory=lambda: str(uuid.uuid4()))
    sms_template: str = field(default_factory=lambda: str(uuid.uuid4()))
    script: list[int] = field(default_factory=list)  # statuses to answer before any 201
    refused: set[str] = field(default_factory=set)  # addresses answered with 400
    requests: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def key(self) -> str:
        return f"speakup_test-{self.service_id}-{self.secret}"

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _notify_handler(self))
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def check_token(self, header: str | None) -> str | None:
        """Why Notify would refuse this Authorization header, or None."""
        if not header or not header.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        token = header.removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"require": ["iss", "iat"]}
            )
        except jwt.PyJWTError:
            return "Invalid token: signature, api token not found"
        if claims["iss"] != self.service_id:
            return "Invalid token: service not found"
        if abs(time.time() - int(claims["iat"])) > 30:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return None

    def answer(self, path: str, headers, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        refusal = self.check_token(headers.get("Authorization"))
        if refusal:
            return 403, _errors(403, "AuthError", refusal)
        kinds = {"/v2/notifications/email": "email", "/v2/notifications/sms": "sms"}
        if path not in kinds:
            return 404, _errors(404, "NoResultFound", "No result found")
        kind = kinds[path]
        template = self.email_template if kind == "email" else self.sms_template
        to = payload.get("email_address" if kind == "email" else "phone_number")
        personalisation = payload.get("personalisation") or {}
        with self.lock:
            self.requests.append({"kind": kind, **payload})
            if self.script:
                status = self.script.pop(0)
                return status, _errors(status, "Exception", "Internal server error")
        if payload.get("template_id") != template:
            return 400, _errors(400, "BadRequestError", "Template not found")
        if not to or set(personalisation) < {"subject", "body"}:
            return 400, _errors(400, "BadRequestError", "Missing personalisation: body")
        if to in self.refused:
            return 400, _errors(400, "BadRequestError", "Can't send to this recipient")
        notification = {
            "id": str(uuid.uuid4()),
            "reference": payload.get("reference"),
            "content": {"subject": personalisation["subject"], "body": personalisation["body"]},
            "template": {"id": template, "version": 1, "uri": f"/v2/template/{template}"},
        }
        with self.lock:
            self.delivered.append({"kind": kind, "to": to, **payload, "id": notification["id"]})
        return 201, notification


def _errors(status: int, error: str, message: str) -> dict[str, Any]:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


def _notify_handler(notify: NotifyServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                payload = {}
            status, body = notify.answer(self.path, self.headers, payload)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:  # keep the test output quiet
            pass

    return Handler
