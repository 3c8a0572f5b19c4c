"""A first guess at a stranger's language from the country of their phone number.

Only a guess, used before the person has chosen (the invite's language wins when there is
one): Kazakhstan and its neighbours read Russian most widely; elsewhere English until
the deployment's own catalog (Arabic, French) exists.
"""

from __future__ import annotations

import phonenumbers

LANGUAGE_BY_COUNTRY = {
    "KZ": "ru",
    "RU": "ru",
    "KG": "ru",
    "UZ": "ru",
    "BY": "ru",
    "UG": "en",
    "TN": "en",
    "GB": "en",
    "US": "en",
}


def language_for_phone(e164: str) -> str | None:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    return LANGUAGE_BY_COUNTRY.get(phonenumbers.region_code_for_number(number) or "")
