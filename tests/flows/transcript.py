"""Play a conversation transcript against the flows and compare what the bot says.

Format (one line each; blank lines and lines starting with `#` are ignored):

    @ setup: person=active language=ru consent=yes   the world before (may repeat later)
             keys: person=none|invited|active|paused, language=ru|kk|en,
                   consent=none|yes|no, invite=valid|used|expired|unknown,
                   invite_language=ru|kk|en|none, hint=<language hint>|none,
                   region=<name>|none, last_mood=1..5|none, misunderstood=<n>,
                   paused=yes|no, directory=demo|empty (tests/flows/transcript_events.py),
                   render=buttons|sms
    @ checkin                   the scheduler starts a check-in (`@ nudge`: its reminder)
    @ appointment: id=5 kind=meeting hours=24 when="29.11 10:00" place="..."
    @ referral: id=9 status=accepted|declined|completed organisation="..."
                                a reminder, a referral's news (see transcript_events.py)
    > text                      the person writes `text` (a bare `>` writes "")
    > [Label]                   the person presses the offered button with this label
    > [#id]                     the person presses a button with this raw choice id
    < text                      the bot replies (first line of the text)
    | more text                 ... further lines of the same reply
      [A] [B]                   ... with these choices (indented, in order); with
                                render=sms there are no buttons: the choices are the
                                reply's numbered lines, as bot/channels/sms_render.py
                                writes them, and the person types
    ! Effect field=value        an effect of the last step (fields that differ from
                                their defaults, in declaration order)
    = state: flow/step          the conversation state now (`idle` when none)
    = person: status=... language=... consent=...   (then paused=True and
                                misunderstood=N when they are not the defaults)

After every `>` or `@ checkin` the bot's replies and effects must follow, exactly
and in order. Replies are rendered as the bot does: in the person's language after
the step's effects, else in the language the bot guessed for a stranger.

`python -m tests.flows.transcript FILE` prints what the bot actually does, for
writing a new transcript.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import flows
from bot.channels.sms.render import render_sms
from flows.render import render_reply
from flows.types import (
    DEFAULT_LANGUAGE,
    IDLE,
    LANGUAGES,
    ActivatePerson,
    CountMisunderstanding,
    Directory,
    Effect,
    FlowContext,
    FlowResult,
    FlowState,
    InviteCheck,
    InviteStatus,
    Language,
    PersonSnapshot,
    RecordCheckInAnswer,
    RecordConsent,
    RedeemInvite,
    SetLanguage,
    SetPaused,
    UserInput,
)
from tests.flows.transcript_events import (
    DIRECTORIES,
    SETUP_KEYS,
    SetupError,
    one_of,
    parse_event,
    person_settings,
)

TRANSCRIPTS_DIR = Path(__file__).resolve().parent.parent / "transcripts"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
_LABELS = re.compile(r"\[([^\]]*)\]")
_OUTPUT_PREFIXES = ("<", "|", "!")


class TranscriptError(Exception):
    """The transcript itself is malformed (not a difference in behaviour)."""


class TranscriptMismatch(AssertionError):
    """The bot did something other than the transcript says."""


@dataclass
class World:
    """Just enough of the bot's database for a conversation: the person and the state."""

    person: PersonSnapshot | None = None
    state: FlowState = IDLE
    invite_status: InviteStatus = "unknown"
    invite_language: Language | None = None
    hint: str | None = None
    buttons: tuple[tuple[str, str], ...] = ()
    log: list[str] = field(default_factory=list)
    directory: Directory = field(default_factory=Directory)
    sms: bool = False

    def context(
        self, user_input: UserInput, language: Language, invite: InviteCheck | None = None
    ) -> FlowContext:
        return FlowContext(
            self.person, self.state, user_input, NOW, language, invite, self.directory
        )

    def guessed_language(self, invite: InviteCheck | None) -> Language:
        # Mirrors bot.pipeline.inbound._language: person, else invite, else channel hint.
        if self.person is not None:
            return self.person.language
        if invite is not None and invite.person_language:
            return invite.person_language
        hint = (self.hint or "")[:2].lower()
        return hint if hint in LANGUAGES else DEFAULT_LANGUAGE  # type: ignore[return-value]

    def invite_for(self, text: str | None) -> InviteCheck | None:
        if self.person is not None:
            return None
        code = flows.extract_invite_code(text)
        if code is None:
            return None
        language = self.invite_language if self.invite_status == "valid" else None
        return InviteCheck(code=code, status=self.invite_status, person_language=language)

    def apply(self, effect: Effect) -> None:
        person = self.person
        match effect:
            case RedeemInvite():
                if self.invite_status == "valid":
                    self.person = PersonSnapshot(
                        id=1,
                        display_name="Test Person",
                        language=self.invite_language or DEFAULT_LANGUAGE,
                        status="invited",
                        consent_given=None,
                    )
                    self.invite_status = "used"
            case SetLanguage(language=language) if person:
                self.person = replace(person, language=language)
            case RecordConsent(granted=granted) if person:
                self.person = replace(person, consent_given=granted)
            case ActivatePerson() if person and person.status in ("invited", "paused"):
                self.person = replace(person, status="active")
            case CountMisunderstanding(reset=reset) if person:
                count = 0 if reset else person.misunderstood_in_row + 1
                self.person = replace(person, misunderstood_in_row=count)
            case SetPaused(paused=paused) if person:
                self.person = replace(person, paused=paused)
            case RecordCheckInAnswer(mood=mood) if person and mood is not None:
                # What the bot reads as the last check-in's mood at the next one.
                self.person = replace(person, last_mood=mood)
            case _:
                pass

    def step(self, result: FlowResult, fallback_language: Language) -> None:
        for effect in result.effects:
            self.apply(effect)
        if self.person is not None:  # the bot keeps no state for a stranger
            self.state = result.state
        language = self.person.language if self.person else fallback_language
        for reply in result.replies:
            rendered = render_reply(reply, language)
            text = rendered.text
            if self.sms:
                text = render_sms(rendered.text, rendered.choices, language)
                rendered = replace(rendered, choices=())
            first, *more = text.split("\n")
            self.log.append(f"< {first}".rstrip())
            self.log.extend(f"| {line}".rstrip() for line in more)
            if rendered.choices:
                self.buttons = rendered.choices
                self.log.append("  " + " ".join(f"[{label}]" for _, label in rendered.choices))
        self.log.extend(f"! {format_effect(effect)}" for effect in result.effects)


def format_effect(effect: Effect) -> str:
    parts = [type(effect).__name__]
    for spec in dataclasses.fields(effect):
        value = getattr(effect, spec.name)
        if spec.default is dataclasses.MISSING or value != spec.default:
            parts.append(f"{spec.name}={value}")
    return " ".join(parts)


def canonical(line: str) -> str:
    """One transcript line as the runner writes it (spacing of choices made uniform)."""
    line = line.rstrip()
    if line[:1].isspace() and line.strip().startswith("["):
        return "  " + " ".join(f"[{label}]" for label in _LABELS.findall(line))
    return line


def _content_lines(text: str) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if line and not line.lstrip().startswith("#"):
            yield number, line


def _is_output(line: str) -> bool:
    return line.startswith(_OUTPUT_PREFIXES) or (line[:1].isspace() and "[" in line)


def play(text: str, *, keep_comments: bool = False) -> list[str]:
    """Run the directives of a transcript; return the transcript the bot really makes
    (with the comments and blank lines of `text` kept in place if asked)."""
    world = World()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line or line.lstrip().startswith("#"):
            if keep_comments:
                world.log.append(line)
            continue
        if _is_output(line):
            continue
        try:
            _directive(world, line)
        except (TranscriptError, SetupError) as exc:
            raise TranscriptError(f"line {number}: {exc}") from None
    return world.log


def _directive(world: World, line: str) -> None:
    if line.startswith("@ setup:"):
        world.log.append(line)
        _setup(world, line.removeprefix("@ setup:").split())
    elif (start := parse_event(line)) is not None:
        world.log.append(line)
        if world.person is None:
            raise TranscriptError(f"{line} needs a person")
        ctx = world.context(UserInput(), world.person.language)
        world.step(start(ctx), world.person.language)
    elif line == ">" or line.startswith("> "):
        world.log.append(line)
        _write(world, line[2:])
    elif line.startswith("= state:"):
        state = world.state
        world.log.append(f"= state: {'idle' if state.idle else f'{state.flow}/{state.step}'}")
    elif line.startswith("= person:"):
        person = world.person
        shown = (
            "none"
            if person is None
            else (
                f"status={person.status} language={person.language} consent={person.consent_given}"
                + (" paused=True" if person.paused else "")
                + (f" misunderstood={n}" if (n := person.misunderstood_in_row) else "")
            )
        )
        world.log.append(f"= person: {shown}")
    else:
        raise TranscriptError(f"cannot read {line!r}")


def _write(world: World, text: str) -> None:
    button = re.fullmatch(r"\[(.*)\]", text)
    media = re.fullmatch(r"\((\w+)\)", text)  # "> (photo)": something that is not text
    if media is not None:
        user_input = UserInput(kind=media.group(1), language_hint=world.hint)
    elif button is None:
        user_input = UserInput(text=text, language_hint=world.hint)
    elif world.sms:
        raise TranscriptError("an SMS has no buttons: write the number or the word")
    elif button.group(1).startswith("#"):
        user_input = UserInput(choice=button.group(1)[1:], language_hint=world.hint)
    else:
        ids = [cid for cid, label in world.buttons if label == button.group(1)]
        if not ids:
            offered = ", ".join(label for _, label in world.buttons) or "nothing"
            raise TranscriptError(f"no button [{button.group(1)}] on offer (offered: {offered})")
        user_input = UserInput(choice=ids[0], language_hint=world.hint)
    invite = world.invite_for(user_input.text)
    language = world.guessed_language(invite)
    world.step(flows.handle(world.context(user_input, language, invite)), language)


def _setup(world: World, pairs: list[str]) -> None:
    settings = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
    if len(settings) != len(pairs):
        raise TranscriptError(f"setup wants key=value pairs, got {pairs}")
    unknown = set(settings) - SETUP_KEYS
    if unknown:
        raise TranscriptError(f"unknown setup keys {sorted(unknown)}")
    if "person" in settings:
        status = settings["person"]
        world.person = (
            None
            if status == "none"
            else PersonSnapshot(
                id=1,
                display_name="Test Person",
                language=DEFAULT_LANGUAGE,
                status=status,
                consent_given=None,
            )
        )
        world.state = IDLE
    if world.person is not None and "language" in settings:
        world.person = replace(world.person, language=_language(settings["language"]))
    if world.person is not None and "consent" in settings:
        consent = {"none": None, "yes": True, "no": False}[settings["consent"]]
        world.person = replace(world.person, consent_given=consent)
    if "invite" in settings:
        world.invite_status = settings["invite"]  # type: ignore[assignment]
    if "invite_language" in settings:
        value = settings["invite_language"]
        world.invite_language = None if value == "none" else _language(value)
    if "hint" in settings:
        world.hint = None if settings["hint"] == "none" else settings["hint"]
    if "render" in settings:
        world.sms = one_of(settings["render"], ("buttons", "sms")) == "sms"
    if "directory" in settings:
        world.directory = DIRECTORIES[one_of(settings["directory"], tuple(DIRECTORIES))]
    if world.person is not None:
        world.person = replace(world.person, **person_settings(settings))


def _language(value: str) -> Language:
    if value not in LANGUAGES:
        raise TranscriptError(f"unknown language {value!r}")
    return value  # type: ignore[return-value]


def check(text: str, name: str = "transcript") -> None:
    """Raise TranscriptMismatch, with a readable diff, unless the bot does what `text` says."""
    expected = [canonical(line) for _, line in _content_lines(text)]
    actual = play(text)
    if expected != actual:
        diff = "\n".join(
            difflib.unified_diff(expected, actual, "expected", "actual", n=3, lineterm="")
        )
        raise TranscriptMismatch(f"{name}: the bot did something else\n{diff}")


def transcript_files() -> list[Path]:
    return sorted(TRANSCRIPTS_DIR.rglob("*.txt"))


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print("\n".join(play(Path(argument).read_text(encoding="utf-8"), keep_comments=True)))
