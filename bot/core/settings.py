"""Deployment settings, read from the environment and `.env`.

Built by `load_settings()`; nothing here runs at import time.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset(
    {"", "changethis", "change-me", "secret", "dev-insecure-secret-key"}
)
DEV_SECRET_KEY = "dev-insecure-secret-key"  # noqa: S105  (refused in production)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
TELEGRAM_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'jolserik.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = Field(default_factory=default_database_url)
    secret_key: str = DEV_SECRET_KEY
    public_base_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"

    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    # Telegram allows about 30 messages a second per bot and 1 a second per chat.
    telegram_messages_per_second: float = Field(default=30, gt=0)
    telegram_per_chat_per_second: float = Field(default=1, gt=0)
    telegram_request_timeout_seconds: float = Field(default=10, gt=0)

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base_url: str | None = None
    # A long code sends about one segment a second; a Messaging Service with several
    # senders (or a short code) allows more. Paced per sender, in each worker process.
    sms_messages_per_second: float = Field(default=1.0, gt=0)
    # One Twilio API call taking longer than this counts as a transient failure.
    sms_send_timeout_seconds: float = Field(default=10.0, gt=0)
    # Twilio's default opt-out handling (long codes) or Advanced Opt-Out answers its own
    # keywords (STOP, START, HELP...) itself; then the bot adds no confirmation of its own
    # for those words. Set false only where Twilio's handling is switched off.
    twilio_handles_opt_out: bool = True

    scheduler_tick_seconds: float = Field(default=30, gt=0)
    checkin_reply_window_seconds: int = Field(default=86400, gt=0)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    outbox_batch_size: int = Field(default=100, gt=0)
    # A claimed message whose dispatcher died is claimed again after this long.
    outbox_lease_seconds: int = Field(default=300, ge=5)
    outbox_max_attempts: int = Field(default=8, gt=0)
    # Inbound messages: the webhooks store each event and answer; "worker" leaves the rest
    # to the worker's processor (woken at once in the same process, otherwise within
    # INBOUND_POLL_SECONDS); "inline" also processes it before answering, for a process
    # that runs no worker (and the tests, which read the reply at once).
    inbound_processing: Literal["worker", "inline"] = "worker"
    inbound_batch_size: int = Field(default=100, gt=0, le=1000)
    # A batch commits after this long even when it took fewer events: on SQLite the
    # webhooks' stores wait for the processor's transaction.
    inbound_batch_seconds: float = Field(default=0.025, gt=0)
    # A processed event's row (no payload) is kept this long, so a provider's late
    # re-delivery of it is still recognised, then deleted.
    inbound_event_keep_hours: int = Field(default=48, gt=0)
    inbound_poll_seconds: float = Field(default=0.25, gt=0)
    sweep_batch_size: int = Field(default=500, gt=0)
    invite_ttl_days: int = Field(default=7, gt=0)
    # Staff sign-in: short-lived access tokens, a revocable refresh token, and a lock after
    # repeated failures (per account and per client address, over a sliding window).
    access_token_minutes: int = Field(default=30, gt=0, le=24 * 60)
    refresh_token_days: int = Field(default=14, gt=0, le=365)
    login_max_failures: int = Field(default=5, gt=0)
    login_window_minutes: int = Field(default=15, gt=0)
    login_lock_minutes: int = Field(default=15, gt=0)
    # How many password hashes are checked at once (Argon2 is deliberately costly).
    password_hash_concurrency: int = Field(default=2, gt=0, le=64)
    # Any request body larger than this is refused with 413 before it is read in full.
    max_request_body_bytes: int = Field(default=256 * 1024, ge=1024)

    # How long an officer has to acknowledge an escalation, by severity.
    escalation_deadline_critical_minutes: int = Field(default=60, gt=0)
    escalation_deadline_high_minutes: int = Field(default=4 * 60, gt=0)
    escalation_deadline_medium_minutes: int = Field(default=24 * 60, gt=0)
    escalation_deadline_low_minutes: int = Field(default=72 * 60, gt=0)
    # Medium and low escalations reach the officer in one digest a day, at this local hour
    # (the officer's own time zone; each officer may choose another hour).
    staff_digest_hour: int = Field(default=9, ge=0, le=23)
    # After an officer writes to a person, the person's next free text within this many
    # hours is passed on to the officer.
    officer_reply_window_hours: int = Field(default=72, gt=0)
    # Message bodies of a closed case are purged this many days after it was closed.
    retention_days: int = Field(default=365, gt=0)

    # Staff alerts by e-mail (optional): unset SMTP_HOST turns the channel off.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, gt=0, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=10, gt=0)
    # Partners: a referral not accepted within this many days reminds the organisation
    # once; as long again after that, the officer is told so they can look elsewhere.
    referral_accept_days: int = Field(default=3, gt=0, le=60)
    # Webhooks to partners: each post waits this long, failures are retried for this many
    # hours with exponential backoff, then the delivery is given up (visible to admins).
    partner_webhook_timeout_seconds: float = Field(default=10, gt=0, le=60)
    partner_webhook_retry_hours: int = Field(default=24, gt=0, le=168)
    # The web panel's sign-in lasts this long (a cookie; signing out ends it at once).
    panel_session_hours: int = Field(default=12, gt=0, le=24 * 30)
    # A check-in or reminder waits this long for a question the person is answering (0:
    # never waits); after that the open question counts as dropped.
    conversation_hold_minutes: int = Field(default=30, ge=0, le=24 * 60)
    missed_checkins_before_escalation: int = Field(default=2, gt=0)
    default_timezone: str = "Asia/Almaty"
    default_region: str = "KZ"

    # Nothing but essential messages goes out between these local hours (person's zone).
    quiet_hours_start: int = Field(default=21, ge=0, le=23)
    quiet_hours_end: int = Field(default=9, ge=0, le=23)
    # Hotlines named in the safety message, as "name:number" pairs; the names are the
    # catalog's hotline keys (emergency, trust_line). Confirm them for each deployment.
    # Sources of the defaults (Kazakhstan): 112 is the single emergency number (police,
    # ambulance, fire); 150 is the national trust line, described by its operators as a
    # line for children and young people (some sources call it the national mental-health
    # line). TO BE CONFIRMED WITH THE PROGRAMME BEFORE A PILOT: an adult crisis line for
    # the people we serve; until then 150 stands in for it. See README, "Configuration".
    hotlines: str = "emergency:112,trust_line:150"
    # How many open partner offers a step of the work journey may choose from.
    directory_limit: int = Field(default=20, gt=0, le=200)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def simulator_enabled(self) -> bool:
        return not self.is_production

    @property
    def has_placeholder_secret(self) -> bool:
        """The key is public (the development default or a known placeholder) or too short:
        anyone could sign an admin token with it."""
        return self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32

    def refusal_to_listen(self, host: str) -> str | None:
        """Why the server must not listen on `host` with these settings (None: it may)."""
        if is_loopback(host) or not self.has_placeholder_secret:
            return None
        return (
            f"Refusing to listen on {host} with the development SECRET_KEY: anyone could sign "
            "tokens with it. Set ENVIRONMENT=production and a random SECRET_KEY, or listen on "
            "127.0.0.1."
        )

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def twilio_enabled(self) -> bool:
        has_sender = bool(self.twilio_from_number or self.twilio_messaging_service_sid)
        return bool(self.twilio_account_sid and self.twilio_auth_token and has_sender)

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host and self.smtp_from)

    def escalation_deadline(self, severity: str) -> timedelta:
        minutes = {
            "critical": self.escalation_deadline_critical_minutes,
            "high": self.escalation_deadline_high_minutes,
            "medium": self.escalation_deadline_medium_minutes,
        }.get(severity, self.escalation_deadline_low_minutes)
        return timedelta(minutes=minutes)

    @property
    def hotline_pairs(self) -> tuple[tuple[str, str], ...]:
        """`hotlines` as (name, number) pairs, in the order configured."""
        pairs = []
        for item in self.hotlines.split(","):
            name, _, number = item.strip().partition(":")
            pairs.append((name.strip(), number.strip()))
        return tuple(pairs)

    @model_validator(mode="after")
    def _check_hotlines(self) -> Settings:
        for name, number in self.hotline_pairs:
            if not re.fullmatch(r"[a-z_]{1,32}", name) or not re.fullmatch(
                r"\+?[0-9 -]{2,20}", number
            ):
                raise ValueError(
                    "HOTLINES must be comma-separated name:number pairs, e.g. "
                    "'emergency:112,trust_line:150'"
                )
        return self

    @model_validator(mode="after")
    def _check_telegram_webhook_secret(self) -> Settings:
        # Telegram sends it back in X-Telegram-Bot-Api-Secret-Token; without it anyone
        # could post updates to the webhook.
        secret = self.telegram_webhook_secret  # empty (a blank .env line) counts as unset
        if secret and not TELEGRAM_SECRET_PATTERN.fullmatch(secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Za-z0-9_-")
        if self.is_production and self.telegram_bot_token and not secret:
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET is required in production when TELEGRAM_BOT_TOKEN is "
                "set; make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_secret_in_production(self) -> Settings:
        if self.is_production:
            if self.has_placeholder_secret:
                raise ValueError(
                    "SECRET_KEY must be a random value of at least 32 characters in production; "
                    "make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                )
        return self


def is_loopback(host: str | None) -> bool:
    """True for an address only this machine can reach: 127.0.0.0/8, ::1, localhost."""
    if host is None:
        return False
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # another host name: it may resolve to anything


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword overrides win (used by tests)."""
    return Settings(**overrides)  # type: ignore[arg-type]
