"""The phone's country as a first guess at a stranger's language."""

import pytest

from bot.channels.sms.phone_language import language_for_phone


@pytest.mark.parametrize(
    ("phone", "language"),
    [
        ("+77011234567", "ru"),  # Kazakhstan mobile
        ("+79161234567", "ru"),  # Russia
        ("+256772123456", "en"),  # Uganda
        ("+21620123456", "en"),  # Tunisia, until its catalogs exist
        ("+4915112345678", None),  # a country the deployment has no guess for
        ("not a number", None),
    ],
)
def test_language_for_phone(phone, language):
    assert language_for_phone(phone) == language
