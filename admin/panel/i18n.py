"""The panel's words in the staff member's language, and times in their time zone.

Templates are written in English and marked with `_()`; the Russian and Kazakh catalogs
(`admin/panel/locales/<lang>/LC_MESSAGES/panel.po`) translate them. One Jinja2
environment per language, built once, so two requests in two languages never share
installed translations.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime, format_timedelta
from jinja2 import Environment, FileSystemLoader, select_autoescape

from flows.i18n import read_catalog

PANEL_DIR = Path(__file__).parent
LOCALES_DIR = PANEL_DIR / "locales"
TEMPLATES_DIR = PANEL_DIR / "templates"
LANGUAGES = ("ru", "kk", "en")
DEFAULT_LANGUAGE = "ru"
LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}


def catalog_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / "panel.po"


def panel_language(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> dict[str, str]:
    """msgid -> text; English is the source and has no catalog of its own."""
    if language == "en":
        return {}
    source = catalog_path(language)
    catalog = read_catalog(source, source.with_suffix(".mo"))
    return {
        message.id: message.string
        for message in catalog
        if isinstance(message.id, str)
        and message.id
        and isinstance(message.string, str)
        and message.string
        and not message.fuzzy
    }


def gettext_for(language: str):  # type: ignore[no-untyped-def]
    table = translations(language)

    def gettext(message: str) -> str:
        return table.get(message, message)

    return gettext


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    gettext = gettext_for(language)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, lambda one, many, n: gettext(one if n == 1 else many), newstyle=True
    )
    env.globals["language"] = language
    env.globals["language_names"] = LANGUAGE_NAMES
    babel_locale = language

    def when(value: datetime | None, tz: str | None = None, form: str = "short") -> str:
        if value is None:
            return ""
        return format_datetime(value, format=form, tzinfo=zone(tz), locale=babel_locale)

    def span(seconds: float | int | None) -> str:
        if seconds is None:
            return ""
        return format_timedelta(
            abs(int(seconds)), granularity="minute", threshold=1.5, locale=babel_locale
        )

    env.filters["when"] = when
    env.filters["span"] = span
    return env
