"""Pure conversation logic: a `FlowContext` in, a `FlowResult` out.

Nothing here sends, sleeps, reads the clock or touches a database; see DESIGN.md,
"Flows are pure". Public API: `handle`, `start_checkin`, `extract_invite_code`,
`flows.render.render_reply` and `flows.i18n.translate`.
"""

from flows.consent import CONSENT_TEXT_VERSION
from flows.engine import handle, start_checkin
from flows.matching import extract_invite_code

__all__ = ["CONSENT_TEXT_VERSION", "extract_invite_code", "handle", "start_checkin"]
