"""How a reply with choices reads on a phone without buttons: a numbered list.

    Which language do you prefer?
    1 Русский
    2 Қазақша
    3 English
    Reply 1, 2 or 3

The numbers are the options' positions, which is what flows/matching.py accepts as an
answer (besides the option's word in any of our languages). The segment test renders every
catalog text through this function, so what it adds is paid for in that budget.
"""

from __future__ import annotations

from collections.abc import Sequence

from flows.i18n import translate


def render_sms(text: str, choices: Sequence[tuple[str, str]], language: str) -> str:
    if not choices:
        return text
    if len(choices) == 1:
        # Under a free-text question the one option is an alternative, not an order:
        # "Или ответьте 1: Пропустить", never "1 Пропустить / Ответьте 1".
        label = choices[0][1].strip()
        return f"{text}\n" + translate("sms.or_reply", language, number="1", label=label)
    lines = [text]
    for position, (_choice_id, label) in enumerate(choices, start=1):
        # A scale whose labels are its own numbers ("1".."5") is explained by the question
        # itself; a "3 3" line would only cost characters.
        if label.strip() != str(position):
            lines.append(f"{position} {label}")
    lines.append(reply_instruction(len(choices), language))
    return "\n".join(lines)


# From this many options on, "Reply 1-7" says it in fewer characters than "1, 2, ... or 7".
RANGE_FROM = 4


def reply_instruction(count: int, language: str) -> str:
    """The "Reply 1, 2 or 3" line, in the person's language."""
    if count >= RANGE_FROM:
        return translate("sms.reply_with_range", language, last=str(count))
    first = ", ".join(str(position) for position in range(1, count))
    return translate("sms.reply_with_numbers", language, first=first, last=str(count))
