"""The data model: one module per entity family. Importing this registers every table."""

from bot.models.appointment import Appointment
from bot.models.audit import AuditEvent
from bot.models.channel_identity import ChannelIdentity
from bot.models.checkin import CheckIn
from bot.models.conversation import ConversationState
from bot.models.directory_version import DirectoryVersion
from bot.models.escalation import Escalation
from bot.models.inbound_event import InboundEvent
from bot.models.invite import Invite
from bot.models.message import Message
from bot.models.note import Note
from bot.models.organisation import Opportunity, Organisation
from bot.models.person import ConsentRecord, Person
from bot.models.referral import Referral, ReferralEvent
from bot.models.session import LoginAttempt, RefreshToken
from bot.models.user import User
from bot.models.webhook import WebhookAttempt, WebhookDelivery

__all__ = [
    "Appointment",
    "AuditEvent",
    "ChannelIdentity",
    "CheckIn",
    "ConsentRecord",
    "ConversationState",
    "DirectoryVersion",
    "Escalation",
    "InboundEvent",
    "Invite",
    "LoginAttempt",
    "Message",
    "Note",
    "Opportunity",
    "Organisation",
    "Person",
    "Referral",
    "ReferralEvent",
    "RefreshToken",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
]
