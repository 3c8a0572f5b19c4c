"""Pure conversation logic: a `FlowContext` in, a `FlowResult` out.

Nothing here sends, sleeps, reads the clock or touches a database; see DESIGN.md,
"Flows are pure". Public API: `handle`, the `start_*` entry points the bot's sweeps
call, `extract_invite_code`, `CONSENT_TEXT_VERSION`, `flows.render.render_reply`,
`flows.i18n.translate`, `flows.wording.reveals` (words no message may carry), and the
language layer `flows.understanding` (`understand`, `normalise`, `stems_in`).
"""

from flows.consent import CONSENT_TEXT_VERSION
from flows.engine import (
    handle,
    start_appointment_notice,
    start_appointment_reminder,
    start_checkin,
    start_checkin_nudge,
    start_referral_offer,
    start_referral_update,
)
from flows.matching import extract_invite_code

__all__ = [
    "CONSENT_TEXT_VERSION",
    "extract_invite_code",
    "handle",
    "start_appointment_notice",
    "start_appointment_reminder",
    "start_checkin",
    "start_checkin_nudge",
    "start_referral_offer",
    "start_referral_update",
]
