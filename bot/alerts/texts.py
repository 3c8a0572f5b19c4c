"""The words of a staff alert, in the staff member's language (catalog keys `staff.*`)."""

from __future__ import annotations

from datetime import timedelta

from flows.i18n import translate

ESCALATIONS_PATH = "/api/v1/escalations"


def escalation_link(base_url: str, escalation_id: int | None = None) -> str:
    base = base_url.rstrip("/") + ESCALATIONS_PATH
    return base if escalation_id is None else f"{base}/{escalation_id}"


def duration(span: timedelta, language: str) -> str:
    """A deadline as people say it: whole hours when it is some, else minutes."""
    minutes = max(int(span.total_seconds() // 60), 0)
    if minutes >= 60 and minutes % 60 == 0:
        return translate("staff.hours", language, count=minutes // 60)
    return translate("staff.minutes", language, count=minutes)


def severity_word(severity: str, language: str) -> str:
    return translate(f"staff.severity.{severity}", language)


def alert_text(
    language: str, *, severity: str, deadline: timedelta, base_url: str, escalation_id: int
) -> str:
    """The officer's alert: the first line is the e-mail subject."""
    return "\n".join(
        (
            translate(
                "staff.alert",
                language,
                severity=severity_word(severity, language),
                deadline=duration(deadline, language),
            ),
            escalation_link(base_url, escalation_id),
        )
    )


def overdue_text(language: str, *, severity: str, base_url: str, escalation_id: int) -> str:
    """The supervisor's alert when nobody acknowledged a case in time."""
    return "\n".join(
        (
            translate("staff.overdue", language, severity=severity_word(severity, language)),
            escalation_link(base_url, escalation_id),
        )
    )


def digest_text(language: str, *, count: int, base_url: str) -> str:
    return "\n".join((translate("staff.digest", language, count=count), escalation_link(base_url)))
