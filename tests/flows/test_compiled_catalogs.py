"""The build's compiled catalogs say exactly what the sources say, and a stale one is
never read."""

from __future__ import annotations

import os

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from flows.i18n import catalog_path, read_catalog


def _texts(catalog) -> dict[str, str]:
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_a_compiled_catalog_reads_back_as_its_source(language, tmp_path):
    source = tmp_path / "messages.po"
    source.write_bytes(catalog_path(language).read_bytes())
    compiled = tmp_path / "messages.mo"
    with source.open("rb") as po:
        catalog = read_po(po)
    with compiled.open("wb") as mo:
        write_mo(mo, catalog)
    os.utime(compiled, (source.stat().st_mtime + 1,) * 2)

    assert _texts(read_catalog(source, compiled)) == _texts(catalog)


def test_a_compiled_catalog_older_than_its_source_is_not_read(tmp_path):
    source = tmp_path / "messages.po"
    source.write_text('msgid "greeting"\nmsgstr "Hello"\n', encoding="utf-8")
    compiled = tmp_path / "messages.mo"
    with source.open("rb") as po:
        old = read_po(po)
    old.get("greeting").string = "Old hello"
    with compiled.open("wb") as mo:
        write_mo(mo, old)
    os.utime(compiled, (source.stat().st_mtime - 10,) * 2)

    assert _texts(read_catalog(source, compiled)) == {"greeting": "Hello"}
    os.utime(compiled, (source.stat().st_mtime + 10,) * 2)
    assert _texts(read_catalog(source, compiled)) == {"greeting": "Old hello"}
