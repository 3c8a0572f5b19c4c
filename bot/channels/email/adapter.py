"""The e-mail channel: staff alerts over SMTP. Only staff are written to by e-mail.

The outbox row's first line is the subject and the rest the body. What an SMTP error
means for the outbox: a 5xx reply to the message or its recipient fails it for good (the
escalation then shows the alert failed); a 4xx, a refused login, a timeout or a broken
connection is retried with backoff.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib

from bot.channels.base import OutboundMessage, PermanentSendError, SendResult, TransientSendError
from bot.core.settings import Settings

log = logging.getLogger(__name__)

EMAIL = "email"


def compose(message: OutboundMessage, sender: str) -> EmailMessage:
    subject, _, body = message.text.partition("\n")
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.address
    mail["Subject"] = subject.strip()
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["Content-Language"] = message.language
    mail.set_content(body.strip() or subject.strip())
    return mail


class EmailChannel:
    name = EMAIL

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host or not settings.smtp_from:
            raise ValueError("SMTP_HOST and SMTP_FROM must be set for the e-mail channel")
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.username = settings.smtp_username or None
        self.password = settings.smtp_password or None
        self.sender = settings.smtp_from
        self.starttls = settings.smtp_starttls
        self.timeout = settings.smtp_timeout_seconds

    async def start(self) -> None:
        """Nothing to open: each send makes its own short SMTP connection."""
        log.info("email channel ready", extra={"channel": EMAIL, "starttls": self.starttls})

    async def stop(self) -> None:
        """Nothing held between sends."""
        log.info("email channel stopped", extra={"channel": EMAIL})

    async def send(self, message: OutboundMessage) -> SendResult:
        mail = compose(message, self.sender)
        try:
            await aiosmtplib.send(
                mail,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                start_tls=self.starttls,
                use_tls=False,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = sorted({response.code for response in exc.recipients})
            if all(500 <= code < 600 for code in codes):
                raise PermanentSendError(f"email: recipient refused {codes}") from None
            raise TransientSendError(f"email: recipient deferred {codes}") from None
        except aiosmtplib.SMTPAuthenticationError as exc:
            # The deployment's credentials, not this message: worth retrying once fixed.
            raise TransientSendError(f"email: login refused {exc.code}") from None
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                raise PermanentSendError(f"email: refused {exc.code}") from None
            raise TransientSendError(f"email: deferred {exc.code}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TransientSendError(f"email: {type(exc).__name__}") from None
        return SendResult(provider_message_id=str(mail["Message-ID"])[:128])
