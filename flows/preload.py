"""Everything the flows read from their data files, read when a process starts rather
than by the first message after it.

Parsing the understanding rules takes about a tenth of a second: without this the first
person to write after a deploy or a restart waits for it (measured: a first batch of 16
updates took 84-129 ms against 6-16 ms for the next), and a rule list or catalog broken
by an edit would fail on that person's message instead of failing the start.
"""

from __future__ import annotations

from flows.crisis import phrases
from flows.i18n import catalog_keys
from flows.types import LANGUAGES
from flows.understanding.concepts import rulebook


def load_rules_and_texts() -> None:
    """Parse every rule list and load every language's catalog (each is kept per
    process); raises what a broken file raises."""
    rulebook()
    phrases()
    for language in LANGUAGES:
        catalog_keys(language)
