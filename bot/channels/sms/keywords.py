"""The keywords of the SMS channel: opt-out, opt-in and help, in English, Russian and Kazakh.

Carriers and Twilio act on a message that is one keyword and nothing else ("STOP", not
"please stop"). We read it the same way, after the same folding the flows use for
answers (case, spacing, surrounding punctuation, Kazakh letters typed on a Russian
keyboard), so "Стоп!" and " stop " count and "stop sending" does not.

Twilio itself acts on its standard English words (TWILIO_*): with its default opt-out
handling on, it blocks the number, replies with its own confirmation and still forwards
the message to us. The Russian and Kazakh words are ours alone (unless the deployment
configured them in Twilio's Advanced Opt-Out, which then tells us via `OptOutType`).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from flows.matching import normalize, phrases

Keyword = Literal["opt_out", "opt_in", "help"]

# https://help.twilio.com/articles/223134027 (standard long-code keywords).
TWILIO_OPT_OUT = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
)
TWILIO_OPT_IN = frozenset({"start", "unstop", "yes"})
TWILIO_HELP = frozenset({"help", "info"})

# What a person writes in Russian or Kazakh to mean the same. Kept to words that have no
# other meaning in a conversation with the bot ("отмена" could cancel an appointment,
# "нет" answers a question), because an opt-out silences the person's only channel.
LOCAL_OPT_OUT = frozenset({"стоп", "отписаться", "отписка", "тоқта", "тоқтат", "тоқтату"})
LOCAL_OPT_IN = frozenset({"старт", "да", "подписаться", "возобновить", "иә", "бастау"})
LOCAL_HELP = frozenset({"помощь", "справка", "инфо", "көмек", "ақпарат"})

# Twilio's Advanced Opt-Out names what it matched in the `OptOutType` form field.
OPT_OUT_TYPES: dict[str, Keyword] = {"STOP": "opt_out", "START": "opt_in", "HELP": "help"}


@cache
def _index() -> dict[str, Keyword]:
    index: dict[str, Keyword] = {}
    for keyword, words in (
        ("help", TWILIO_HELP | LOCAL_HELP),
        ("opt_in", TWILIO_OPT_IN | LOCAL_OPT_IN),
        ("opt_out", TWILIO_OPT_OUT | LOCAL_OPT_OUT),
    ):
        for word in words:
            index[normalize(word)] = keyword  # type: ignore[assignment]
    return index


def classify(text: str | None, opt_out_type: str | None = None) -> Keyword | None:
    """Which keyword this message is, if it is one. Twilio's own classification wins."""
    if opt_out_type:
        known = OPT_OUT_TYPES.get(opt_out_type.strip().upper())
        if known is not None:
            return known
    return _index().get(normalize(text))


@cache
def _twilio_words() -> frozenset[str]:
    # Folded like the text ("info" folds its Latin i like a Kazakh і).
    return frozenset(normalize(word) for word in TWILIO_OPT_OUT | TWILIO_OPT_IN | TWILIO_HELP)


def twilio_acts_on(text: str | None) -> bool:
    """Whether Twilio's default handling reacts to this word (and so has replied)."""
    return normalize(text) in _twilio_words()


@cache
def _yes_words() -> frozenset[str]:
    return frozenset(phrases("choice.yes")) | {
        normalize(word) for word in TWILIO_OPT_IN | LOCAL_OPT_IN
    }


def is_yes(text: str | None) -> bool:
    """The answer to an SMS invitation ("reply YES"): yes in any of our languages."""
    word = normalize(text)
    return bool(word) and word in _yes_words()
