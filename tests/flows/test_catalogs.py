"""The catalogs: complete in every language, safe to show on a lock screen, short."""

from __future__ import annotations

import ast
import functools
import hashlib
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import flows
from flows.consent import CONSENT_TEXT_VERSION
from flows.i18n import BOT_KEYS, catalog_keys, catalog_path, translate
from flows.matching import match_intent
from flows.types import LANGUAGES, UserInput
from flows.vocabulary import SYNONYMS

FLOWS_DIR = Path(flows.__file__).parent
# Where each message-building call keeps its key: (positional index, keyword).
KEY_ARGUMENT = {"Reply": 0, "Question": 0, "OfferQuestion": 0, "Choice": 1, "Localized": 0}

# Words that would tell anyone reading over a shoulder why this person is being
# supported. Stems, matched case-insensitively anywhere in a text.
FORBIDDEN = (
    "prison",
    "jail",
    "inmate",
    "probation",
    "parole",
    "convict",
    "sentence",
    "crime",
    "criminal",
    "offence",
    "offender",
    "extremis",
    "terror",
    "radical",
    "police",
    "court",
    "release",
    "тюрьм",
    "тюрем",
    "колони",
    "заключен",
    "заключён",
    "пробаци",
    "судим",
    "осужд",
    "преступ",
    "экстремис",
    "террор",
    "радикал",
    "полици",
    "освобожд",
    "срок",
    "надзор",
    "түрме",
    "сотт",
    "қылмыс",
    "қамау",
    "бас бостандығ",
)

# GSM 03.38 basic set: English texts in it cost 160 characters per SMS, not 70.
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
SMS_BUDGET = {"en": 160, "ru": 2 * 67, "kk": 2 * 67}
# Explaining what is shared may take three Cyrillic segments; nothing else may.
LONG_KEYS = {"consent.ask": 3 * 67}

# sha256 of the consent text in ru, kk and en. If this fails you changed what people
# agree to: bump CONSENT_TEXT_VERSION in flows/consent.py, then update both here.
CONSENT_PINNED = (
    "2026-12-v3",
    "50d0836c0dd42b5851ddb817cb446afdf2d35ba06e8816aa0b30a15e0260ee66",
)


def keys_in_code() -> set[str]:
    """Every message key passed to Reply/Question/Choice in flows/, which must be literal."""
    found: set[str] = set()
    for path in FLOWS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            index = KEY_ARGUMENT.get(node.func.id)
            if index is None:
                continue
            named = [kw.value for kw in node.keywords if kw.arg == "key"]
            arg = named[0] if named else node.args[index] if len(node.args) > index else None
            where = f"{path.name}:{node.lineno}"
            if _forwards_own_key(arg):
                continue
            assert isinstance(arg, ast.Constant), f"{where}: message keys must be literal strings"
            assert isinstance(arg.value, str), where
            found.add(arg.value)
    return found


def _forwards_own_key(arg: ast.expr | None) -> bool:
    # `Reply(self.key, ...)` passes on a key that was checked where its owner was built.
    return (
        isinstance(arg, ast.Attribute)
        and isinstance(arg.value, ast.Name)
        and arg.value.id == "self"
    )


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def all_texts() -> list[tuple[str, str, str]]:
    # Placeholders are left as written ("{code}"), so texts that take arguments are
    # checked too; tests/channels_sms/test_sms_texts.py checks them filled in, as SMS.
    return [
        (lang, key, translate(key, lang, **{name: f"{{{name}}}" for name in placeholders(raw)}))
        for lang in LANGUAGES
        for key in sorted(catalog_keys(lang))
        for raw in [translate_raw_cached(key, lang)]
    ]


def translate_raw_cached(key: str, language: str) -> str:
    return _raw_catalog(language)[key]


@functools.cache
def _raw_catalog(language: str) -> dict[str, str]:
    with catalog_path(language).open("rb") as fileobj:
        return {str(m.id): str(m.string) for m in read_po(fileobj) if m.id}


def test_the_code_uses_message_keys() -> None:
    assert {"enroll.welcome", "checkin.ask_mood", "choice.yes"} <= keys_in_code()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_used_exists_in_every_language(language: str) -> None:
    assert keys_in_code() | BOT_KEYS <= catalog_keys(language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogs_hold_nothing_unused(language: str) -> None:
    assert catalog_keys(language) == keys_in_code() | BOT_KEYS


def test_synonyms_belong_to_real_choice_labels() -> None:
    assert set(SYNONYMS) <= keys_in_code()


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_empty_or_fuzzy(language: str) -> None:
    with catalog_path(language).open("rb") as fileobj:
        catalog = read_po(fileobj)
    messages = [message for message in catalog if message.id]
    assert messages
    for message in messages:
        assert isinstance(message.string, str) and message.string.strip(), message.id
        assert not message.fuzzy, message.id


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_placeholders_match_english(language: str) -> None:
    for key in catalog_keys("en"):
        assert placeholders(translate_raw(key, language)) == placeholders(
            translate_raw(key, "en")
        ), key


def translate_raw(key: str, language: str) -> str:
    with catalog_path(language).open("rb") as fileobj:
        message = read_po(fileobj).get(key)
    assert message is not None, (language, key)
    return str(message.string)


@pytest.mark.parametrize(("language", "key", "text"), all_texts())
def test_no_text_reveals_why_someone_is_supported(language: str, key: str, text: str) -> None:
    lowered = text.casefold()
    assert not [word for word in FORBIDDEN if word in lowered], (language, key, text)


@pytest.mark.parametrize(("language", "key", "text"), all_texts())
def test_texts_fit_the_sms_budget(language: str, key: str, text: str) -> None:
    assert len(text) <= LONG_KEYS.get(key, SMS_BUDGET[language]), (language, key, len(text))
    if language == "en" and not key.startswith("lang."):
        filled = re.sub(r"\{\w+\}", "", text)  # an argument's own characters count elsewhere
        assert set(filled) <= GSM7, {char for char in filled if char not in GSM7}


@pytest.mark.parametrize(("language", "key", "text"), all_texts())
def test_quoted_commands_work_as_written(language: str, key: str, text: str) -> None:
    # "Write «меню»" is a promise: the word quoted must be one the bot understands.
    for word in re.findall(r"«([^»]+)»|\"([^\"]+)\"", text):
        written = word[0] or word[1]
        assert match_intent(UserInput(text=written)) is not None, (language, key, written)


def test_language_names_are_the_same_in_every_catalog() -> None:
    for key in ("lang.ru", "lang.kk", "lang.en"):
        assert len({translate(key, language) for language in LANGUAGES}) == 1, key


def test_a_language_without_a_catalog_falls_back_to_english() -> None:
    assert translate("choice.yes", "fr") == "Yes"
    assert translate("choice.yes", "../en") == "Yes"


def test_a_missing_key_is_an_error() -> None:
    with pytest.raises(KeyError):
        translate("no.such.key", "ru")


def test_consent_text_is_pinned_to_its_version() -> None:
    digest = hashlib.sha256(
        "\n".join(translate("consent.ask", language) for language in LANGUAGES).encode()
    ).hexdigest()
    assert (CONSENT_TEXT_VERSION, digest) == CONSENT_PINNED


def test_importing_flows_reads_no_catalog() -> None:
    code = "import flows, flows.i18n as i; assert i._catalog.cache_info().currsize == 0"
    # A fresh interpreter: this one has long since loaded the catalogs.
    subprocess.run([sys.executable, "-c", code], check=True, cwd=FLOWS_DIR.parent)  # noqa: S603
