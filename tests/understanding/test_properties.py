"""Whatever arrives, the layer answers, and disguising a crisis message does not hide it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flows import crisis
from flows.understanding import normalise, understand
from tests.understanding.evaluation import crisis_set

CRISES = [e.text for e in crisis_set()]
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u200e", "\u2060", "\ufeff"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read_without_error(text: str) -> None:
    found = understand(text)
    assert found.crisis in (None, "self_harm", "danger", "harm_others")
    assert isinstance(normalise(text), str)
    for match in found.found:
        assert 0 <= match.start <= match.end <= len(found.reading.text)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(CRISES),
    st.sampled_from(INVISIBLE),
    st.integers(min_value=0, max_value=200),
    st.sampled_from(["", "Здравствуйте. ", "сәлем ", "hi, ", "... "]),
)
def test_invisible_characters_and_greetings_do_not_hide_a_crisis(
    text: str, invisible: str, at: int, before: str
) -> None:
    position = at % (len(text) + 1)
    disguised = before + text[:position] + invisible + text[position:]
    assert crisis.detect(disguised) is not None, disguised


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(CRISES))
def test_shouting_and_repeated_letters_do_not_hide_a_crisis(text: str) -> None:
    louder = "".join(c * 2 if c.isalpha() and i % 3 == 0 else c for i, c in enumerate(text))
    assert crisis.detect(text.upper() + "!!!") is not None
    assert crisis.detect(louder) is not None, louder


TO_LATIN = str.maketrans("оаеср", "oaecp")
TO_CYRILLIC = str.maketrans("oaecp", "оаеср")


def test_look_alike_letters_of_the_other_script_do_not_hide_a_crisis() -> None:
    # Every crisis message, its look-alike letters swapped to the other script: words
    # made only of look-alikes ("c", "кepeк") are read in the message's script.
    missed = [
        swapped
        for text in CRISES
        for swapped in (text.translate(TO_LATIN), text.translate(TO_CYRILLIC))
        if crisis.detect(swapped) is None
    ]
    assert missed == []
