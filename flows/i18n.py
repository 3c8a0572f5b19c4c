"""Message catalogs: gettext .po files keyed by symbolic message ids.

The build (`make`) compiles each .po to a .mo beside it, which is what gets read; a
missing or older .mo (a plain `pip install`, or a .po just edited) falls back to the
.po itself, so a catalog can never be stale. Nothing binary is committed.
Catalogs are read on first use and cached; importing this module reads nothing.
Texts use `str.format` placeholders such as `{name}`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from flows.types import Listed, Localized

LOCALES_DIR = Path(__file__).parent / "locales"
FALLBACK_LANGUAGE = "en"

# Keys rendered by the bot package itself rather than by a flow (it apologises with
# this one when a flow raised). Listed here so the catalog tests see them as used.
# "officer.message_prefix" wraps an officer's own words (bot/pipeline/officer_messages.py).
BOT_KEYS = frozenset({"common.error", "officer.message_prefix"})
# The SMS channel's own texts: the numbered-menu instruction, the invitation and the
# opt-out confirmations (bot/channels/sms_render.py, bot/sms_inbound.py).
SMS_KEYS = frozenset(
    {
        "sms.reply_with_numbers",
        "sms.reply_with_range",
        "sms.or_reply",
        "sms.invite",
        "sms.opted_out",
        "sms.opted_in",
        "sms.opted_out_help",
    }
)
# Alerts to staff about escalations, and the bot's answers in a linked staff chat
# (bot/alerts/texts.py, bot/channels/telegram/staff.py).
STAFF_KEYS = frozenset(
    {
        "staff.alert",
        "staff.overdue",
        "staff.digest",
        "staff.hours",
        "staff.minutes",
        "staff.severity.critical",
        "staff.severity.high",
        "staff.severity.medium",
        "staff.severity.low",
        "staff.linked",
        "staff.chat_reply",
    }
)
# E-mails to partner organisations about referrals (bot/services/partner_notices.py).
PARTNER_KEYS = frozenset(
    f"partner.{event}.{part}"
    for event in ("created", "cancelled", "reminder")
    for part in ("subject", "body")
)
# Pieces of a text the flows assemble themselves (flows/work.py: a job card's place).
PIECE_KEYS = frozenset({"work.elsewhere"})
BOT_KEYS = BOT_KEYS | SMS_KEYS | STAFF_KEYS | PARTNER_KEYS | PIECE_KEYS


def catalog_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"


def compiled_path(language: str) -> Path:
    return catalog_path(language).with_suffix(".mo")


def load_catalog(language: str) -> Catalog:
    return read_catalog(catalog_path(language), compiled_path(language))


def read_catalog(source: Path, compiled: Path) -> Catalog:
    """The compiled catalog when it is at least as new as its source, else the source."""
    if compiled.is_file() and compiled.stat().st_mtime >= source.stat().st_mtime:
        with compiled.open("rb") as fileobj:
            return read_mo(fileobj)
    with source.open("rb") as fileobj:
        return read_po(fileobj, locale=None, abort_invalid=True)


# Bounded: `language` can come from outside, and each new string would stay cached.
@lru_cache(maxsize=32)
def has_catalog(language: str) -> bool:
    # `language` reaches us from channel hints too; refuse anything path-like.
    return language.isalpha() and catalog_path(language).is_file()


@lru_cache(maxsize=16)
def _catalog(language: str) -> dict[str, str]:
    catalog = load_catalog(language)
    # Fuzzy and empty entries are what gettext itself ignores: an unreviewed text
    # must not reach a person, so it counts as missing.
    return {
        message.id: message.string
        for message in catalog
        if isinstance(message.id, str)
        and message.id
        and isinstance(message.string, str)
        and message.string
        and not message.fuzzy
    }


def catalog_keys(language: str) -> set[str]:
    """The usable keys of one language's catalog (no fallback: missing file raises)."""
    return set(_catalog(language))


def translate(key: str, language: str, **args: object) -> str:
    """The text of `key` in `language` (English when that language has no catalog).

    A key missing from an existing catalog raises KeyError: the catalog tests keep
    every language complete, so a gap is a bug, not something to paper over.
    """
    lang = language if has_catalog(language) else FALLBACK_LANGUAGE
    text = _catalog(lang)[key]
    return text.format_map({name: _argument(value, lang) for name, value in args.items()})


def _argument(value: object, language: str) -> object:
    # A `Localized` argument is a text of its own; a tuple of them is one per line; a
    # `Listed` one is a list on one line.
    if isinstance(value, Listed):
        return value.separator.join(
            translate(v.key, v.language or language, **v.args) for v in value.items
        )
    if isinstance(value, Localized):
        return translate(value.key, value.language or language, **value.args)
    if isinstance(value, tuple) and value and all(isinstance(v, Localized) for v in value):
        return "\n".join(translate(v.key, v.language or language, **v.args) for v in value)
    return value
