"""The panel's words: every text the templates and views mark is translated into Russian
and Kazakh, placeholders intact, and nothing unused lingers in a catalog."""

from __future__ import annotations

import re

import pytest

from admin.panel.i18n import environment, translations
from admin.panel.locales.sync import TRANSLATED, used_texts

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    found = used_texts()
    assert len(found) > 40  # the extraction itself works
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_is_translated(language: str, texts: list[str]) -> None:
    table = translations(language)
    missing = [text for text in texts if not table.get(text)]
    assert missing == [], f"run python -m admin.panel.locales.sync and translate: {missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_nothing_unused_is_kept(language: str, texts: list[str]) -> None:
    assert set(translations(language)) <= set(texts)


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_survive_translation(language: str, texts: list[str]) -> None:
    table = translations(language)
    for text in texts:
        assert set(PLACEHOLDER.findall(table[text])) == set(PLACEHOLDER.findall(text)), text


def test_a_page_renders_in_each_language() -> None:
    words = {
        language: environment(language)
        .get_template("login.html")
        .render(user=None, nav=(), csrf="t", csrf_field="csrf_token", error="credentials")
        for language in ("ru", "kk", "en")
    }
    assert "Неверный e-mail или пароль." in words["ru"]
    assert "E-mail немесе құпиясөз қате." in words["kk"]
    assert "Incorrect e-mail or password." in words["en"]
