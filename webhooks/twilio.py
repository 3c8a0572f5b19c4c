"""Twilio's webhooks: inbound SMS (`/webhooks/twilio/sms`) and delivery status callbacks
(`/webhooks/twilio/status`).

Every request must carry a valid `X-Twilio-Signature`, checked with twilio's own
RequestValidator over the URL Twilio called — rebuilt from PUBLIC_BASE_URL, because behind
a TLS-terminating proxy this process sees another scheme and host — and over every posted
field, including fields Twilio adds in the future. Missing or wrong: 403, and nothing is
read into the database. An inbound SMS is stored as an event and answered; the processor
runs the channel's law and the flows on it (bot/intake). Replies never go in the TwiML
answer (it is always empty): they are queued like every channel's, so their delivery is
tracked and retried.
"""

from __future__ import annotations

import logging
from typing import cast
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.sms.phone_language import language_for_phone
from bot.channels.sms.status import apply_status
from bot.core.deps import runtime_of
from bot.core.settings import Settings
from bot.intake.events import sms_event
from bot.models.enums import Channel
from bot.pipeline.inbound import InboundMessage
from bot.services import InvalidInput
from bot.services.persons import normalise_phone

log = logging.getLogger(__name__)

router = APIRouter(prefix="/twilio", tags=["twilio"])

# An inbound SMS form is a few kilobytes even with a 1,600-character body; anything far
# larger is not Twilio and is refused before it is parsed.
MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 500
# Twilio's message ids are 34 characters ("SM" and 32 hex digits); the column holds 128.
MAX_SID_CHARS = 64
EMPTY_TWIML = str(MessagingResponse())
FORBIDDEN = "Invalid or missing X-Twilio-Signature."


def public_url(settings: Settings, request: Request) -> str:
    """The URL Twilio requested, as Twilio sees it (it signs this one)."""
    url = settings.public_base_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


async def signed_form(request: Request, settings: Settings) -> FormData:
    """The posted form, once its signature is proven; 403 otherwise."""
    signature = request.headers.get("X-Twilio-Signature")
    if not signature or not settings.twilio_auth_token:
        raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "Form too large.")
    try:
        # Repeated names keep every value, as Twilio signs them (sorted name, then value).
        pairs = parse_qsl(
            bytes(body).decode("utf-8", errors="replace"),
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
        )
    except ValueError:
        raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN) from None
    form = FormData(cast(list[tuple[str, str | UploadFile]], pairs))
    validator = RequestValidator(settings.twilio_auth_token)
    if not validator.validate(public_url(settings, request), form, signature):
        log.warning("twilio signature rejected", extra={"path": request.url.path})
        raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN)
    return form


def sms_address(sender: str, default_region: str) -> str:
    """The sender as stored: E.164 for a phone number (so it matches `phone_e164`),
    as given for anything else (a short code, an alphanumeric sender)."""
    try:
        return normalise_phone(sender, default_region)
    except InvalidInput:
        return sender.strip()[:128]


def _count(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


@router.post("/sms", response_class=Response)
async def inbound_sms(request: Request) -> Response:
    runtime = runtime_of(request)
    settings = runtime.settings
    form = await signed_form(request, settings)
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid")
    sender = form.get("From")
    if not isinstance(sid, str) or not sid or not isinstance(sender, str) or not sender:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "MessageSid and From are required.")
    if len(sid) > MAX_SID_CHARS:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "MessageSid is not a message id.")
    body, num_media = form.get("Body"), form.get("NumMedia")
    text = body if isinstance(body, str) and body.strip() else None
    media = _count(num_media if isinstance(num_media, str) else None)
    # A picture or voice note without words: stored as what it is; the flows answer it.
    kind = "media" if text is None and media > 0 else "text"
    address = sms_address(sender, settings.default_region)
    inbound = InboundMessage(
        channel=Channel.sms,
        address=address,
        provider_message_id=sid,
        text=text,
        kind=kind,
        language_hint=language_for_phone(address),
    )
    opt_out_type = form.get("OptOutType")
    await runtime.receive(
        sms_event(inbound, opt_out_type if isinstance(opt_out_type, str) else None)
    )
    return Response(content=EMPTY_TWIML, media_type="text/xml")


@router.post("/status", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def delivery_status(request: Request) -> Response:
    runtime = runtime_of(request)
    form = await signed_form(request, runtime.settings)
    sid = form.get("MessageSid") or form.get("SmsSid")
    reported = form.get("MessageStatus") or form.get("SmsStatus")
    if not isinstance(sid, str) or not sid or not isinstance(reported, str) or not reported:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "MessageSid and MessageStatus required.")
    error_code = form.get("ErrorCode")
    outcome = await run_in_threadpool(
        apply_status,
        runtime.engine,
        sid,
        reported,
        error_code if isinstance(error_code, str) and error_code else None,
        settings=runtime.settings,
    )
    if outcome.rerouted:
        runtime.queued()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
