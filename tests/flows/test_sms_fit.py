"""Every question a flow asks, rendered as the SMS channel renders it (text, numbered
options, "Reply 1-5"), fits two segments in Russian and Kazakh and one in English.

The catalog tests measure each text alone; this measures what is really sent. Texts
that carry partner data (an organisation's name, an opportunity) are measured with
data of typical length.
"""

from __future__ import annotations

import pytest

from bot.channels.sms.render import render_sms
from bot.channels.sms.segments import count_segments
from flows.checkin import NUDGES
from flows.engine import FLOWS
from flows.menu import FALLBACK
from flows.render import render_reply
from flows.sharing import ADDRESS_CHARS, HOURS_CHARS, where
from flows.types import LANGUAGES, Reply
from flows.wording import revealing_words

# English fits one GSM-7 segment; partner data or a language's own name in Cyrillic
# makes it UCS-2, and then it may take two, like Russian and Kazakh.
MAX_SEGMENTS = {"ru": 2, "kk": 2, "en": 1}
# Partner data of typical length (the flows cut longer values).
SAMPLE = {
    "organisation": "ТОО Центр занятости Караганды",  # 30 characters
    "position": "2",
    "count": "3",
    "about": "Помощник повара\nКафе Достар, Karaganda\nСмены 2/2, питание",
    "when": "29.11 10:00",
    "kind": "meeting",
    "place": "ул. Абая, 10, каб. 5",
}


def asked() -> list[tuple[str, Reply]]:
    found = [
        (f"{spec.name}/{step}", question.reply(SAMPLE))
        for spec in FLOWS.values()
        for step, question in spec.questions.items()
    ]
    found += [(f"nudge/{step}", question.reply()) for step, question in NUDGES.items()]
    return [*found, ("idle.fallback", FALLBACK)]


ASKED = asked()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("where", "reply"), ASKED, ids=[where for where, _ in ASKED])
def test_every_question_fits_as_an_sms(where: str, reply: Reply, language: str) -> None:
    rendered = render_reply(reply, language)
    sms = render_sms(rendered.text, rendered.choices, language)
    count = count_segments(sms)
    limit = 2 if count.encoding == "UCS-2" else MAX_SEGMENTS[language]
    # (That the English texts themselves are GSM-7 is test_catalogs' to check.)
    assert count.segments <= limit, (where, language, count, sms)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("where", "reply"), ASKED, ids=[where for where, _ in ASKED])
def test_no_question_reveals_why_someone_is_supported(
    where: str, reply: Reply, language: str
) -> None:
    assert revealing_words(render_reply(reply, language).text) == []


def test_the_partners_address_and_hours_fit_two_segments() -> None:
    data = {"address": "Қ" * ADDRESS_CHARS, "hours": "Ж" * HOURS_CHARS}
    [reply] = where(data)
    for language in ("ru", "kk", "en"):
        text = render_reply(reply, language).text
        assert count_segments(render_sms(text, (), language)).segments <= 2, language
