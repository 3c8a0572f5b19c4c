"""Bring the panel's catalogs in line with its templates (a maintenance script).

    .venv/bin/python -m admin.panel.locales.sync [translations.json]

Extracts every `_()` text from the templates and views, adds the new ones to each
catalog (with the translations from the optional JSON file, {"English": ["ru", "kk"]}),
drops the ones no longer used, and writes the catalogs back sorted. A text still without
a translation is left empty; the catalog test then names it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from admin.panel.i18n import PANEL_DIR, catalog_path

TRANSLATED = ("ru", "kk")
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True"}}


def used_texts() -> list[str]:
    found: dict[str, None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        PANEL_DIR, METHODS, options_map=OPTIONS, keywords={"_": None, "gettext": None}
    ):
        if isinstance(message, str) and message:
            found[message] = None
    return list(found)


def sync(new: dict[str, list[str]]) -> None:
    texts = used_texts()
    for index, language in enumerate(TRANSLATED):
        path = catalog_path(language)
        old = {}
        if path.is_file():
            with path.open("rb") as fileobj:
                old = {m.id: m.string for m in read_po(fileobj) if m.id}
        catalog = Catalog(locale=language, domain="panel", project="Jolserik panel", fuzzy=False)
        for text in sorted(texts):
            translation = new.get(text, [None, None])[index] or old.get(text) or ""
            catalog.add(text, translation)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fileobj:
            write_po(fileobj, catalog, omit_header=False, sort_output=True, width=100)


if __name__ == "__main__":
    extra = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")) if len(sys.argv) > 1 else {}
    sync(extra)
