"""What a Telegram message looks like: text cut to Telegram's limits, HTML-escaped, and
choices as an inline keyboard whose callback data is the choice id, never the label.

Why HTML parse mode with everything escaped rather than no parse mode: the visible result
is the same today, any `<`, `>` or `&` a text carries (a name, an officer's note) shows
literally instead of being read as markup, and templates may later add bold or links
without changing how the rest is sent. Telegram counts the 4096-character limit after
entities are parsed, so cutting the raw text and then escaping each part stays within it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
MAX_CALLBACK_BYTES = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # 64, in bytes
# A cut this far into the allowance or later is good enough; earlier ones leave a stub.
_MIN_CUT_FRACTION = 0.5
_SENTENCE_END = re.compile(r"[.!?…。](?:[\"'»”)\]]*)\s+")
# Labels this short (mood 1–5, yes/no) sit side by side; longer ones get a row each so
# nothing is cut off on a small screen.
_SHORT_LABEL = 4
_ROW_OF_SHORT = 5


class CallbackDataTooLong(ValueError):
    """A choice id over Telegram's 64-byte callback_data limit (a bug in a flow)."""


def utf16_len(text: str) -> int:
    """Telegram measures text in UTF-16 code units: an emoji counts as two."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut `text` into parts of at most `limit` (UTF-16) characters, at a paragraph break
    if one is late enough in the part, else at a sentence end, else at a space, else
    anywhere. Whitespace at a cut is dropped; nothing else is lost or reordered."""
    parts: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        window = rest[: _fit(rest, limit)]
        cut = _best_cut(window)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [part for part in parts if part] or [""]


def _fit(text: str, limit: int) -> int:
    """The longest prefix length (in code points) whose UTF-16 length is within `limit`."""
    end = min(len(text), limit)
    while (excess := utf16_len(text[:end]) - limit) > 0:
        end -= max(1, excess // 2)
    return end


def _best_cut(window: str) -> int:
    floor = int(len(window) * _MIN_CUT_FRACTION)
    paragraph = window.rfind("\n\n")
    if paragraph >= floor:
        return paragraph + 2
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if sentence_ends and sentence_ends[-1] >= floor:
        return sentence_ends[-1]
    line = window.rfind("\n")
    if line >= floor:
        return line + 1
    space = window.rfind(" ")
    if space >= floor:
        return space + 1
    return len(window)


def to_html(text: str) -> str:
    """Escape for parse_mode=HTML: nothing the text contains is read as markup.
    Quotes need no escaping outside attributes, so they stay readable in the request."""
    return html.escape(text, quote=False)


def keyboard(choices: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    """Inline buttons for (choice id, label) pairs. The id goes in callback_data: a short
    opaque value the flows already understand; the label can be any length or script."""
    if not choices:
        return None
    buttons = []
    for choice_id, label in choices:
        size = len(choice_id.encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_BYTES:
            raise CallbackDataTooLong(
                f"choice id is {size} bytes; Telegram allows 1-{MAX_CALLBACK_BYTES}"
            )
        buttons.append(InlineKeyboardButton(text=label, callback_data=choice_id))
    if all(len(label) <= _SHORT_LABEL for _, label in choices):
        rows = [buttons[i : i + _ROW_OF_SHORT] for i in range(0, len(buttons), _ROW_OF_SHORT)]
    else:
        rows = [[button] for button in buttons]
    return InlineKeyboardMarkup(rows)
