"""What the pipeline reads for each sender, read for a whole batch of inbound events at
once: the sender's identity and person, conversation row, last mood and next appointments.

The processor calls `prefetch` after claiming a batch; the pipeline's readers then take
a sender's rows from here instead of asking the database once per message. Each entry
serves the sender's first event of the batch only (it is taken out as it is read): a
later event of the same sender may follow a change the first one made (an invitation
redeemed, a check-in answered), so it reads afresh.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from bot.models import Appointment, ChannelIdentity, CheckIn, ConversationState, Person
from bot.models.enums import CheckInStatus
from bot.pipeline.conversation import known_states
from bot.services.appointments import ACTIVE_STATUSES as ACTIVE_APPOINTMENTS

KEY = "prefetched"
# As many appointments as the context shows.
APPOINTMENTS_SHOWN = 3

Sender = tuple[ChannelIdentity, Person]


class Prefetched:
    def __init__(self) -> None:
        # (channel, address) -> the identity and person, or None: known to be a stranger.
        self.senders: dict[tuple[str, str], Sender | None] = {}
        self.moods: dict[int, int | None] = {}
        self.appointments: dict[int, list[Appointment]] = {}


# Built once (assembling them cost about as much as running them), then run with the
# batch's values: `ids` and `addresses` expand to the lists given.
_SENDERS = (
    select(ChannelIdentity, Person)
    .join(Person, col(Person.id) == col(ChannelIdentity.person_id))
    .where(
        ChannelIdentity.channel == bindparam("channel"),
        col(ChannelIdentity.address).in_(bindparam("addresses", expanding=True)),
    )
    .with_for_update(of=ChannelIdentity)
)
_STATES = select(ConversationState).where(
    col(ConversationState.person_id).in_(bindparam("ids", expanding=True))
)
_RANKED_MOODS = (
    select(
        col(CheckIn.person_id).label("person_id"),
        col(CheckIn.mood).label("mood"),
        func.row_number()
        .over(partition_by=col(CheckIn.person_id), order_by=col(CheckIn.answered_at).desc())
        .label("rank"),
    )
    .where(
        col(CheckIn.person_id).in_(bindparam("ids", expanding=True)),
        col(CheckIn.mood).is_not(None),
        CheckIn.status == CheckInStatus.answered,
    )
    .subquery()
)
_LAST_MOODS = select(_RANKED_MOODS.c.person_id, _RANKED_MOODS.c.mood).where(
    _RANKED_MOODS.c.rank == 1
)
_APPOINTMENTS = (
    select(Appointment)
    .where(
        col(Appointment.person_id).in_(bindparam("ids", expanding=True)),
        col(Appointment.status).in_(ACTIVE_APPOINTMENTS),
        col(Appointment.starts_at) > bindparam("now"),
    )
    .order_by(col(Appointment.person_id), col(Appointment.starts_at))
)


def prefetch(session: Session, addresses: list[tuple[str, str]], now: datetime) -> Prefetched:
    """Read the rows the batch's senders need, in five statements whatever their number."""
    found = Prefetched()
    by_channel: dict[str, set[str]] = defaultdict(set)
    for channel, address in addresses:
        by_channel[channel].add(address)
        found.senders[(channel, address)] = None
    for channel, channel_addresses in by_channel.items():
        for identity, person in session.exec(
            _SENDERS, params={"channel": channel, "addresses": sorted(channel_addresses)}
        ).all():
            found.senders[(identity.channel, identity.address)] = (identity, person)
    person_ids = [
        sender[1].id
        for sender in found.senders.values()
        if sender is not None and sender[1].id is not None
    ]
    if person_ids:
        states = known_states(session)
        states.update(dict.fromkeys(person_ids))
        for row in session.exec(_STATES, params={"ids": person_ids}).all():
            states[row.person_id] = row
        found.moods = dict.fromkeys(person_ids)
        found.moods.update(session.exec(_LAST_MOODS, params={"ids": person_ids}).all())
        found.appointments = {person_id: [] for person_id in person_ids}
        for appointment in session.exec(
            _APPOINTMENTS, params={"ids": person_ids, "now": now}
        ).all():
            shown = found.appointments[appointment.person_id]
            if len(shown) < APPOINTMENTS_SHOWN:
                shown.append(appointment)
    session.info[KEY] = found
    return found


def _prefetched(session: Session) -> Prefetched | None:
    found = session.info.get(KEY)
    return found if isinstance(found, Prefetched) else None


def take_sender(session: Session, channel: str, address: str) -> tuple[bool, Sender | None]:
    """(True, the sender or None for a stranger) when prefetched; (False, None) if not."""
    found = _prefetched(session)
    if found is None or (channel, address) not in found.senders:
        return False, None
    return True, found.senders.pop((channel, address))


def take_last_mood(session: Session, person_id: int) -> tuple[bool, int | None]:
    found = _prefetched(session)
    if found is None or person_id not in found.moods:
        return False, None
    return True, found.moods.pop(person_id)


def take_appointments(session: Session, person_id: int) -> list[Appointment] | None:
    found = _prefetched(session)
    if found is None:
        return None
    return found.appointments.pop(person_id, None)
