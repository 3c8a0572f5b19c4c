"""Domain services: functions over a Session with no side effects beyond it.

They add, change and flush rows; the caller owns the transaction and commits (the admin
views after writing the audit event, the CLI through `bot.core.db.session_scope`).
"""


class InvalidInput(ValueError):
    """A value the caller sent is not acceptable (the admin API answers 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotAllowed(Exception):
    """The caller's role may not do this (403)."""


class Conflict(Exception):
    """The record's state does not allow this now (409)."""
