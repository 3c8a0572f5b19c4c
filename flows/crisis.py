"""Words about suicide, self-harm, harming others or being in danger pre-empt everything.

The rules live in reviewed data files, one list per language (`flows/data/crisis_*.txt`,
format at the top of each), and every list is checked whatever language the person
uses. Matching is the language layer's (`flows/understanding`): a rule's words may come
in any order and any inflection (stems), with typos, look-alike or Latin letters, soft
hyphens, fused negation; exclusions keep other senses out ("убить время"). False alarms
are acceptable; misses are not.

A stranger (no enrolled person behind the address) gets the safety message too, but no
escalation: there is no person to escalate for and no officer to tell.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flows.types import (
    IDLE,
    Deployment,
    FlowContext,
    FlowResult,
    Localized,
    OpenEscalation,
    Reply,
)
from flows.understanding import CRISIS_CATEGORIES, Understanding, understand
from flows.understanding.rules import Rulebook, Term, load

DATA_DIR = Path(__file__).parent / "data"
# One list per language, `crisis_<language>.txt`: adding a language is adding its list.
LIST_PATTERN = "crisis_*.txt"
CATEGORIES = ("self_harm", "harm_others", "danger")

# Hotline names the catalogs know; a deployment naming another gets the generic one,
# never an error in the middle of a crisis.
HOTLINE_NAMES = {
    "hotline.emergency": Localized("hotline.emergency"),
    "hotline.trust_line": Localized("hotline.trust_line"),
    "hotline.generic": Localized("hotline.generic"),
}


@lru_cache(maxsize=1)
def phrases() -> Rulebook:
    """The compiled crisis rules of every list in DATA_DIR (a list naming a category
    other than CATEGORIES is refused with ValueError)."""
    terms: dict[Term, int] = {}
    known = [f"crisis.{category}" for category in CATEGORIES]
    concepts = load(sorted(DATA_DIR.glob(LIST_PATTERN)), known, prefix="crisis.", terms=terms)
    order = {f"crisis.{category}": rank for rank, category in enumerate(CRISIS_CATEGORIES)}
    return Rulebook(sorted(concepts, key=lambda c: order[c.name]), terms)


def read(text: str | None) -> Understanding:
    """The crisis rules' reading of `text` (an Understanding with crisis concepts only)."""
    return understand(text, phrases())


def detect(text: str | None) -> str | None:
    """The category of the crisis words in `text`, or None."""
    found = match(text)
    return found[0] if found else None


def match(text: str | None) -> tuple[str, str] | None:
    """(category, language of the list) of the crisis words in `text`, or None. The most
    urgent category wins (self-harm, then danger, then harming others)."""
    if not text or not text.strip():
        return None
    hit = read(text).crisis_found
    return (hit.concept.removeprefix("crisis."), hit.language) if hit else None


def hotline_lines(deployment: Deployment) -> tuple[Localized, ...]:
    """One line per configured hotline ("112 - emergency"); the deployment defaults when a
    deployment configured none."""
    hotlines = deployment.hotlines or Deployment().hotlines
    return tuple(
        Localized(
            "crisis.hotline",
            {
                "number": hotline.number,
                "name": HOTLINE_NAMES.get(hotline.name_key, HOTLINE_NAMES["hotline.generic"]),
            },
        )
        for hotline in hotlines
    )


def safety_reply(deployment: Deployment) -> Reply:
    return Reply("crisis.safety", {"hotlines": hotline_lines(deployment)})


def respond(ctx: FlowContext) -> FlowResult | None:
    """The safety message (and for a person, a critical escalation), or None."""
    if not ctx.input.readable:
        return None
    found = match(ctx.input.text)
    if found is None:
        return None
    category, written_in = found
    safety = safety_reply(ctx.deployment)
    if ctx.person is None:
        # A stranger's language is only guessed; when the words were in another of our
        # languages, say it in that one too.
        if written_in == ctx.language:
            return FlowResult(replies=(safety,), state=IDLE)
        again = Localized("crisis.safety", safety.args, written_in)
        also = Reply("crisis.in_language", {"text": again})
        return FlowResult(replies=(safety, also), state=IDLE)
    # The detail names the kind of words, never the words: the officer reads the
    # message itself in the conversation, where access to it is audited.
    return FlowResult(
        replies=(safety, Reply("crisis.officer_told")),
        state=IDLE,
        effects=(OpenEscalation(reason="crisis", severity="critical", detail=category),),
    )
