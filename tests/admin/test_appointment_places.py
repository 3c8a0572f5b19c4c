"""An appointment's place reaches the person's lock screen: a forbidden word disguised
with a soft hyphen, a look-alike letter or full-width letters is refused like a plain
one (the check is flows.wording.revealing_words, on the language layer)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.clock import utcnow
from tests.admin.helpers import enroll


@pytest.mark.parametrize(
    "place",
    [
        "Про\u00adбация, каб. 4",  # soft hyphen
        "Проб\u200bация, каб. 4",  # zero-width space
        "Prоbation office, room 4",  # Cyrillic о
        "Тюрьмa 2",  # Latin a
        "ＰＲＩＳＯＮ gate",  # full width
    ],
)
def test_a_disguised_forbidden_word_in_the_place_is_refused(client, officer, place):
    person = enroll(client, officer["headers"])
    url = f"/api/v1/persons/{person['id']}/appointments"
    body = {"starts_at": (utcnow() + timedelta(days=1)).isoformat(), "kind": "meeting"}
    response = client.post(url, json={**body, "place": place}, headers=officer["headers"])
    assert response.status_code == 422, response.text
    assert "phone" in response.text
    assert client.get(url, headers=officer["headers"]).json() == []
