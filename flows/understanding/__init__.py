"""The language layer: what a person wrote, as concepts (crisis, requests, intents,
small talk, moods), whatever the language, script, spelling or word order.

    understand("мне негде ночевать сегодня").intent == "request.housing_tonight"
    understand("хочу сделать с собой что-нибудь").crisis == "self_harm"

Rules live in reviewed data files (`flows/data/crisis_<lang>.txt`: clinician and native
speaker; `flows/data/concepts_<lang>.txt`: native speaker and social worker). Pure:
standard library only.
"""

from __future__ import annotations

from flows.understanding.concepts import (
    CONCEPTS,
    CRISIS_CATEGORIES,
    INTENT_PRIORITY,
    Understanding,
    rulebook,
    understand,
    understand_afresh,
)
from flows.understanding.lock_screen import stems_in
from flows.understanding.normalise import normalise, read
from flows.understanding.rules import Found

__all__ = [
    "CONCEPTS",
    "CRISIS_CATEGORIES",
    "INTENT_PRIORITY",
    "Found",
    "Understanding",
    "normalise",
    "read",
    "rulebook",
    "stems_in",
    "understand",
    "understand_afresh",
]
