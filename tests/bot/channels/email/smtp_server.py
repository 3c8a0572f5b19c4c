"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, optionally
asking for a login and refusing chosen recipients."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from email.message import Message as MailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME = "alerts"
PASSWORD = "smtp-test-password"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: MailMessage

    @property
    def body(self) -> str:
        payload = self.message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode(self.message.get_content_charset() or "utf-8")


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.content),
            )
        )
        return "250 Message accepted"


def _authenticator(handler: Handler):  # type: ignore[no-untyped-def]
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == USERNAME
            and data.password.decode() == PASSWORD
        )
        if ok:
            handler.logins.append(USERNAME)
        return AuthResult(success=ok, handled=False)

    return check


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    def __init__(self, *, require_auth: bool = False) -> None:
        self.handler = Handler()
        self.port = free_port()
        extra: dict[str, Any] = {}
        if require_auth:
            # Plain-text login is only for this loopback test server.
            extra = {
                "authenticator": _authenticator(self.handler),
                "auth_required": True,
                "auth_require_tls": False,
            }
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **extra)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received
