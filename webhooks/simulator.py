"""The simulator channel (development only): a chat page and its webhook.

It goes through the same inbound pipeline, outbox and dispatcher as a real channel;
the "phone" is the page, which reads the messages the dispatcher marked delivered.
"""

from __future__ import annotations

import ipaddress
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.core.deps import RuntimeDep, SessionDep
from bot.core.settings import is_loopback
from bot.models import ChannelIdentity, Invite, Message, Person
from bot.models.enums import Direction, MessageStatus
from bot.pipeline.inbound import InboundMessage, process_inbound
from bot.services.persons import MAX_ID


def loopback_peer_only(request: Request) -> None:
    """The simulator lists live invitation codes: only this machine may reach it. A peer
    with a network address beyond loopback (directly, or named by a local reverse proxy)
    gets 404; the in-process test client has no network address and passes."""
    peer = request.client.host if request.client else None
    if peer is None:
        return
    try:
        ipaddress.ip_address(peer)
    except ValueError:
        return
    if not is_loopback(peer):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")


router = APIRouter(tags=["simulator"], dependencies=[Depends(loopback_peer_only)])
page_router = APIRouter(include_in_schema=False, dependencies=[Depends(loopback_peer_only)])
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

ADDRESS_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
VISIBLE_OUTBOUND = (MessageStatus.sent, MessageStatus.delivered)
PEOPLE_LIMIT = 50
STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = {"simulator.js": "text/javascript", "simulator.css": "text/css"}


class SimulatorInbound(BaseModel):
    address: str = Field(pattern=ADDRESS_PATTERN, description="The simulated phone's id.")
    text: str | None = Field(default=None, max_length=4096)
    choice: str | None = Field(default=None, max_length=64, description="A pressed button id.")
    message_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Client-chosen id; sending the same id twice is a duplicate delivery.",
    )
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")

    @model_validator(mode="after")
    def _text_or_choice(self) -> SimulatorInbound:
        if not (self.text and self.text.strip()) and not self.choice:
            raise ValueError("send `text` (what the person writes) or `choice` (a button id)")
        return self


class SimulatorAccepted(BaseModel):
    message_id: int | None
    duplicate: bool


class SimulatorMessage(BaseModel):
    id: int
    direction: str
    body: str
    choices: list[dict[str, str]] = []
    created_at: str


@router.post("/simulator", status_code=200)
async def receive(payload: SimulatorInbound, runtime: RuntimeDep) -> SimulatorAccepted:
    inbound = InboundMessage(
        channel="simulator",
        address=payload.address,
        provider_message_id=f"sim-in-{payload.message_id or uuid.uuid4().hex}",
        text=payload.text,
        choice=payload.choice,
        language_hint=payload.language,
        kind="choice" if payload.choice else "text",
    )
    outcome = await run_in_threadpool(
        process_inbound, runtime.engine, inbound, settings=runtime.settings
    )
    if not outcome.duplicate:
        runtime.queued()
    return SimulatorAccepted(message_id=outcome.message_id, duplicate=outcome.duplicate)


@router.get("/simulator/conversation")
def conversation(
    session: SessionDep,
    address: Annotated[str, Query(pattern=ADDRESS_PATTERN)],
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[SimulatorMessage]:
    """What the simulated phone shows: its own messages and those delivered to it."""
    rows = session.exec(
        select(Message)
        .where(
            Message.channel == "simulator",
            Message.address == address,
            col(Message.id) > after,
        )
        .order_by(col(Message.id))
        .limit(200)
    ).all()
    visible = []
    for row in rows:
        if row.direction == Direction.outbound and row.status not in VISIBLE_OUTBOUND:
            break  # keep order: stop at the first message not yet delivered
        visible.append(
            SimulatorMessage(
                id=row.id,  # type: ignore[arg-type]
                direction=str(row.direction),
                body=row.body,
                choices=row.choices or [],
                created_at=row.created_at.isoformat(),
            )
        )
    return visible


class SimulatorStatus(BaseModel):
    enrolled: bool


@router.get("/simulator/status")
def enrolment_status(
    session: SessionDep, address: Annotated[str, Query(pattern=ADDRESS_PATTERN)]
) -> SimulatorStatus:
    """Whether the simulated phone belongs to an enrolled person (the page hides its hint)."""
    identity = session.exec(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == "simulator", ChannelIdentity.address == address
        )
    ).first()
    return SimulatorStatus(enrolled=identity is not None and identity.person_id is not None)


def demo_people(session: Session) -> list[dict[str, object]]:
    """People to chat as, in person order (the order `jolserik demo` prints): those already
    on the simulator, and those waiting to enroll with a live invitation code."""
    now = utcnow()
    by_person: dict[int, dict[str, object]] = {}
    identities = session.exec(
        select(ChannelIdentity, Person)
        .join(Person, col(Person.id) == ChannelIdentity.person_id)
        .where(ChannelIdentity.channel == "simulator")
        .order_by(col(Person.id))
        .limit(PEOPLE_LIMIT)
    ).all()
    for identity, person in identities:
        assert person.id is not None
        by_person.setdefault(
            person.id, {"name": person.display_name, "address": identity.address, "code": None}
        )
    invites = session.exec(
        select(Invite, Person)
        .join(Person, col(Person.id) == Invite.person_id)
        .where(col(Invite.used_at).is_(None), col(Invite.expires_at) > now)
        .order_by(col(Person.id), col(Invite.expires_at).desc())
        .limit(PEOPLE_LIMIT)
    ).all()
    for invite, person in invites:
        assert person.id is not None
        by_person.setdefault(
            person.id,
            {
                "name": person.display_name,
                "address": f"sim-{person.id}-{uuid.uuid4().hex[:6]}",
                "code": invite.code,
            },
        )
    return [by_person[person_id] for person_id in sorted(by_person)][:PEOPLE_LIMIT]


@page_router.get("/simulator", response_class=HTMLResponse)
def page(request: Request, session: SessionDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "simulator.html", {"people": demo_people(session)})


@page_router.get("/simulator/static/{name}")
def static_file(name: str) -> Response:
    """The page's script and stylesheet (served by the app: no CDN, no inline code)."""
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not found.")
    return FileResponse(STATIC_DIR / name, media_type=media_type)
