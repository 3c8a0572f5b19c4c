"""Turn a `Reply` into text and labelled choices in one language.

Channels decide how choices look (Telegram buttons, a numbered SMS list); this only
supplies the words.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.i18n import translate
from flows.types import Reply


@dataclass(frozen=True)
class RenderedReply:
    text: str
    choices: tuple[tuple[str, str], ...] = ()


def render_reply(reply: Reply, language: str) -> RenderedReply:
    return RenderedReply(
        text=translate(reply.key, language, **reply.args),
        choices=tuple(
            (choice.id, translate(choice.key, language, **choice.args)) for choice in reply.choices
        ),
    )
