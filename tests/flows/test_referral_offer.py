"""An officer's referral put to the person: the organisation, the need and each detail
named in their language; a yes or no in their own words; whatever they were answering
before is asked again afterwards."""

from __future__ import annotations

from dataclasses import replace

import pytest

import flows
from flows.render import render_reply
from flows.types import IDLE, AnswerReferralOffer, FlowState, ReferralOffer, UserInput
from flows.wording import reveals
from tests.flows.states import PERSON, context

OFFER = ReferralOffer(
    id=12,
    organisation_name="Фонд «Жол Ашық»",
    kind="legal_aid",
    fields=("first_name", "language", "need", "contact_channel"),
)
CHECKIN_NEED = FlowState("checkin", "need")


def _offer(state: FlowState = IDLE, language: str = "ru"):  # type: ignore[no-untyped-def]
    return flows.start_referral_offer(
        context(state, person=replace(PERSON, language=language)), OFFER
    )


def _say(state: FlowState, text: str, language: str = "ru"):  # type: ignore[no-untyped-def]
    who = replace(PERSON, language=language)
    return flows.handle(context(state, UserInput(text=text), who))


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "ru",
            (
                "может помочь вам: юридическая помощь.",
                "только: ваше имя, язык, вашу просьбу, способ связи?",
            ),
        ),
        (
            "kk",
            (
                "көмектесе алады: заң көмегі.",
                "жіберейік пе: атыңыз, тіліңіз, өтінішіңіз, байланыс тәсілі?",
            ),
        ),
        (
            "en",
            (
                "can help you with legal help.",
                "only: your first name, language, what you need, how to reach you?",
            ),
        ),
    ],
)
def test_the_question_names_who_what_and_every_detail(
    language: str, words: tuple[str, ...]
) -> None:
    asked = _offer(language=language)
    about, question = (render_reply(reply, language).text for reply in asked.replies)
    assert about.startswith("Фонд «Жол Ашық»") and words[0] in about
    assert "Фонд «Жол Ашық»" in question and words[1] in question
    assert not reveals(about) and not reveals(question)
    assert asked.state.flow == "referral_offer"


@pytest.mark.parametrize(
    ("language", "answer", "agreed"),
    [
        ("ru", "да", True),
        ("ru", "Да, согласен", True),
        ("ru", "ну давайте", True),
        ("ru", "не против", True),
        ("ru", "da", True),
        ("ru", "нет", False),
        ("ru", "нет, не надо", False),
        ("ru", "я не согласна", False),
        ("kk", "иә", True),
        ("kk", "ия келісемін", True),
        ("kk", "жоқ керек емес", False),
        ("en", "yes please", True),
        ("en", "sure, go ahead", True),
        ("en", "no thanks", False),
        ("en", "I don't agree", False),
        ("ru", "1", True),
        ("ru", "2", False),
    ],
)
def test_an_answer_in_own_words_is_understood(language: str, answer: str, agreed: bool) -> None:
    asked = _offer(language=language)
    answered = _say(asked.state, answer, language)
    assert answered.effects == (AnswerReferralOffer(referral_id=12, agreed=agreed),)
    assert answered.state == IDLE


def test_nonsense_asks_again_and_shares_nothing() -> None:
    asked = _offer()
    answered = _say(asked.state, "ываыва")
    assert not [e for e in answered.effects if isinstance(e, AnswerReferralOffer)]
    assert [reply.key for reply in answered.replies][-2:] == ["offer.about", "offer.ask"]
    assert answered.state.flow == "referral_offer"


def test_the_open_question_comes_back_after_the_answer() -> None:
    asked = _offer(CHECKIN_NEED)
    answered = _say(asked.state, "да")
    assert answered.state == CHECKIN_NEED
    assert [reply.key for reply in answered.replies] == ["share.done", "checkin.ask_need"]


def test_the_address_and_hours_come_only_after_a_yes() -> None:
    offer = replace(OFFER, address="ул. Бухар-Жырау, 45, Караганда", opening_hours="Пн–Пт 9–18")
    asked = flows.start_referral_offer(context(IDLE), offer)
    assert "Бухар" not in str(asked.replies)
    yes = _say(asked.state, "да")
    where = render_reply(yes.replies[-1], "ru").text
    assert where == "ул. Бухар-Жырау, 45, Караганда\nПн–Пт 9–18"
    no = _say(asked.state, "нет")
    assert "Бухар" not in str(no.replies)
