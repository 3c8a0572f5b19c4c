"""Closed vocabularies stored as short strings (portable across SQLite and PostgreSQL)."""

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    officer = "officer"
    ngo = "ngo"


class SupervisionLevel(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class PersonStatus(StrEnum):
    invited = "invited"
    active = "active"
    paused = "paused"
    opted_out = "opted_out"
    closed = "closed"


class Channel(StrEnum):
    telegram = "telegram"
    sms = "sms"
    simulator = "simulator"


class Direction(StrEnum):
    inbound = "in"
    outbound = "out"


class MessageStatus(StrEnum):
    received = "received"  # inbound, stored
    queued = "queued"  # outbound, waiting in the outbox
    sending = "sending"  # claimed by a dispatcher
    sent = "sent"  # accepted by the provider
    delivered = "delivered"
    undelivered = "undelivered"
    failed = "failed"  # permanent: will not be retried


class CheckInStatus(StrEnum):
    scheduled = "scheduled"
    sending = "sending"  # claimed by a sweep
    sent = "sent"  # question queued, waiting for the answer
    answered = "answered"
    missed = "missed"
    cancelled = "cancelled"


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class EscalationStatus(StrEnum):
    open = "open"
    overdue = "overdue"  # open past its acknowledgement deadline; the supervisor was told
    acknowledged = "acknowledged"
    resolved = "resolved"


class EscalationOutcome(StrEnum):
    """How an officer closed an escalation (a closed list, so the programme can count)."""

    contacted_safe = "contacted_safe"
    referred = "referred"
    emergency_services = "emergency_services"
    no_action_needed = "no_action_needed"
    could_not_reach = "could_not_reach"


# Lower sorts first in the officer's queue.
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


class ReferralStatus(StrEnum):
    proposed = "proposed"
    sent = "sent"
    accepted = "accepted"
    declined = "declined"
    in_progress = "in_progress"
    completed = "completed"
    cancelled = "cancelled"


class Service(StrEnum):
    """What a partner organisation offers; an opportunity and a referral are of one."""

    employment = "employment"
    housing = "housing"
    shelter = "shelter"
    religious_counselling = "religious_counselling"
    psychological_support = "psychological_support"
    legal_aid = "legal_aid"
    documents = "documents"
    other = "other"


class DeliveryStatus(StrEnum):
    """A webhook delivery to a partner: retried until delivered or given up."""

    pending = "pending"
    delivered = "delivered"
    failed = "failed"  # gave up: 24 h of failures, or the partner answered 410


class AppointmentStatus(StrEnum):
    scheduled = "scheduled"
    confirmed = "confirmed"
    cant_make_it = "cant_make_it"
    attended = "attended"
    missed = "missed"
    cancelled = "cancelled"


class OpportunityStatus(StrEnum):
    open = "open"
    closed = "closed"
