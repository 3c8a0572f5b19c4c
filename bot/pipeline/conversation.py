"""Adapt database rows to the flow engine's types and back."""

from __future__ import annotations

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from bot.core.clock import utcnow
from bot.models import ConversationState, Person
from bot.models.enums import PersonStatus
from flows.types import LANGUAGES, FlowState, Language, PersonSnapshot


def as_language(value: str | None, fallback: Language = "ru") -> Language:
    return value if value in LANGUAGES else fallback  # type: ignore[return-value]


def person_snapshot(
    person: Person, *, last_mood: int | None = None, misunderstood_in_row: int = 0
) -> PersonSnapshot:
    assert person.id is not None
    return PersonSnapshot(
        id=person.id,
        display_name=person.display_name,
        language=as_language(person.language),
        status=str(person.status),
        consent_given=person.consent_given,
        region=person.region,
        supervision_level=str(person.supervision_level),
        last_mood=last_mood,
        misunderstood_in_row=misunderstood_in_row,
        paused=person.status == PersonStatus.paused,
    )


_STATE_COLUMNS = ("flow", "step", "data", "misunderstood_in_row")


def known_states(session: Session) -> dict[int, ConversationState | None]:
    """The conversation rows this session has read (None: the person has none yet)."""
    known: dict[int, ConversationState | None] = session.info.setdefault("states", {})
    return known


def state_row(session: Session, person_id: int) -> ConversationState | None:
    """The person's conversation row, read once per session: the several readers of one
    message (and the session keeps unchanged rows only weakly) would each ask again. Only
    `save_state` creates rows, and it updates what is kept here; a row a rolled-back
    savepoint took out of the session is read again."""
    known = known_states(session)
    if person_id in known:
        row = known[person_id]
        if row is None or row in session:
            return row
    row = session.get(ConversationState, person_id)
    known[person_id] = row
    return row


def load_state(session: Session, person_id: int) -> FlowState:
    row = state_row(session, person_id)
    if row is None:
        return FlowState()
    return FlowState(flow=row.flow, step=row.step, data=dict(row.data or {}))


def save_state(
    session: Session, person_id: int, state: FlowState, *, misunderstood_in_row: int | None = None
) -> None:
    row = state_row(session, person_id)
    if row is None:
        row = ConversationState(person_id=person_id)
        known_states(session)[person_id] = row
    if misunderstood_in_row is not None:
        row.misunderstood_in_row = misunderstood_in_row
    row.flow = state.flow
    row.step = state.step
    row.data = dict(state.data)
    row.updated_at = utcnow()
    # Every column, changed or not: the processor writes a chunk's rows in one flush,
    # and rows updating the same columns go as one statement (executemany), where each
    # different set of changed columns was a statement (a round trip) of its own.
    for name in _STATE_COLUMNS:
        flag_modified(row, name)
    session.add(row)
