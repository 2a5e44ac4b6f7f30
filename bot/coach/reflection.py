"""``/reflect``: a private reflection on a failed or dropped project, in DM, one question at a
time. It can be stopped at any step (what was said is kept) and resumed with ``/reflect``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.analysis.cuebook import cue_book
from bot.analysis.phrases import CLAUSE_ENDS, Token, cached_tokens
from bot.coach import forms, premortem
from bot.coach.submission import rejection
from bot.coach.team import team_channel
from bot.coach.turn import Turn
from bot.events import (
    Action,
    Button,
    ButtonPressed,
    ChannelPost,
    Content,
    DirectMessage,
    Intent,
    OpenForm,
    Reply,
    UserText,
)
from bot.store.views import ReflectionView

STOP_WORDS = {"stop", "pause", "later", "/stop"}
LESSON = "lesson:"  # what a failed post of a shared line hands back, before the reflection id
NEGATION_WINDOW = 4  # words before a distress cue searched for a negation, within its clause


def _negated(tokens: Sequence[Token], first: int) -> bool:
    """Whether a negation comes shortly before ``tokens[first]`` in its clause."""
    words = cue_book().words
    for token in reversed(tokens[max(0, first - NEGATION_WINDOW) : first]):
        if token.text in CLAUSE_ENDS or token.text in words.clause_words:
            return False
        if token.text in words.negators:
            return True
    return False


def distress(text: str) -> str | None:
    """The distress cue (``prompts/cues/distress.yaml``) an answer fires, or ``None``: self-doubt
    or distress about research, not a method given up or a model that fails.

    >>> distress("Maybe I am just not cut out for research."), distress("I want to quit")
    ('not_cut_out', 'quit')
    >>> distress("I don't think I'm cut out for this")
    'not_cut_out'
    >>> [distress(t) for t in ("I never felt like quitting", "I want to quit this approach")]
    [None, None]
    """
    # The end of the answer ends a clause too: "I want to quit" reads as "I want to quit .".
    tokens = [*cached_tokens(text), Token(".", len(text), len(text))]
    for match in cue_book().signal("distress").find(tokens):
        if not _negated(tokens, match.first):
            return match.key
    return None


def _dm(turn: Turn, body: Content, buttons: tuple[Button, ...] = ()) -> DirectMessage:
    return DirectMessage(turn.actor.user_id, body, buttons)


def _question(turn: Turn, reflection: ReflectionView) -> Content:
    steps = turn.prompts.reflection.steps
    return turn.say(
        "reflect_question",
        number=reflection.step + 1,
        total=len(steps),
        question=steps[reflection.step].question,
    )


def _care(turn: Turn, text: str, earlier: Sequence[object], closing: bool) -> Content:
    """An acknowledgement before the next question when the answer voices self-doubt or
    distress; the brief form when one was already given, or when the close follows (it says
    the best-works idea itself)."""
    if distress(text) is None:
        return ()
    already = any(distress(str(answer)) is not None for answer in earlier)
    prompts = turn.prompts.reflection
    return (prompts.care_brief if closing or already else prompts.care, "\n\n")


def _pointer(turn: Turn) -> list[Intent]:
    """Said where the member typed, when that is not the DM: the reflection lives in DM."""
    return [] if turn.place.kind == "dm" else [Reply(turn.say("reflect_in_dm"))]


async def start(turn: Turn, topic: str = "", origin: str = "") -> list[Intent]:
    """Resume the member's unfinished reflection, or begin one on ``topic``.

    ``origin`` is ``goal:ID`` or ``checkin:ID`` when a button offered the reflection.
    """
    if topic.strip().lower() in STOP_WORDS:
        return await stop(turn)
    current = await turn.scope.open_reflection(turn.member)
    if current is not None:
        current = await turn.scope.set_reflection_status(current, "open", turn.now)
        return [
            *_pointer(turn),
            _dm(turn, (*turn.say("reflect_resume"), *_question(turn, current))),
        ]
    goal_id = None
    feared: Content = ()
    kind, _, key = origin.partition(":")
    if kind == "goal" and key.isdigit():
        goal = await turn.scope.goal_by_id(int(key))
        if goal is not None and goal.member_id == turn.member.id:
            goal_id, topic = goal.id, topic or goal.capability
            feared = premortem.recalled(turn, goal)  # their own words, from when they set it
    elif kind == "checkin" and key.isdigit():
        checkin = await turn.scope.checkin(turn.member, int(key))
        if checkin is not None:
            goal_id, topic = checkin.goal_id, topic or checkin.failed or checkin.did
    reflection = await turn.scope.add_reflection(
        turn.member, created_at=turn.now, goal_id=goal_id, topic=topic.strip()[:1000]
    )
    intro = (turn.prompts.reflection.intro, "\n\n", *feared)
    return [*_pointer(turn), _dm(turn, (*intro, *_question(turn, reflection)))]


async def stop(turn: Turn) -> list[Intent]:
    current = await turn.scope.open_reflection(turn.member)
    if current is None or current.status == "stopped":
        return [Reply(turn.say("reflect_none_open"))]
    await turn.scope.set_reflection_status(current, "stopped", turn.now)
    return [_dm(turn, (turn.prompts.reflection.stopped,))]


async def answer(turn: Turn, text: str) -> list[Intent] | None:
    """Take a DM message as the answer to the open question; ``None`` when none is open."""
    current = await turn.scope.open_reflection(turn.member)
    if current is None or current.status != "open":
        return None
    if text.strip().lower() in STOP_WORDS:
        return await stop(turn)
    if len(text) > forms.LONG:
        await turn.scope.save_draft(turn.member, "reflection", {"answer": text}, turn.now)
        return [_dm(turn, turn.say("too_long", length=len(text), limit=forms.LONG))]
    steps = turn.prompts.reflection.steps
    earlier = list(current.answers.values())
    key = steps[current.step].key
    current = await turn.scope.answer_reflection(current, key, text.strip(), turn.now)
    await turn.scope.clear_draft(turn.member, "reflection")
    care = _care(turn, text, earlier, closing=current.step >= len(steps))
    if current.step < len(steps):
        return [_dm(turn, (*care, *_question(turn, current)))]
    current = await turn.scope.set_reflection_status(current, "completed", turn.now)
    prompts = turn.prompts.reflection
    closing = (*care, prompts.close, "\n\n", prompts.publish_offer)
    offer = Button(turn.words("button_publish_line"), Action.PUBLISH_LEARNING, str(current.id))
    return [_dm(turn, closing, (offer,))]


async def offer_line(turn: Turn, value: str) -> list[Intent]:
    reflection = await turn.scope.reflection(turn.member, int(value)) if value.isdigit() else None
    if reflection is None:
        return [Reply(turn.say("reflect_unknown"))]
    suggestion = str(reflection.answers.get("reusable", ""))
    return [OpenForm(forms.learning_form(reflection.id, suggestion, turn.prompts))]


async def publish_line(turn: Turn, values: Mapping[str, str], context: str) -> list[Intent]:
    """Post the one line the member wrote for the team; nothing else of the reflection."""
    reflection = (
        await turn.scope.reflection(turn.member, int(context)) if context.isdigit() else None
    )
    if reflection is None:
        return [Reply(turn.say("reflect_unknown"))]
    rejected = await rejection(turn, forms.learning_form(reflection.id, "", turn.prompts), values)
    if rejected is not None:
        return [rejected]
    channel = await team_channel(turn)
    if channel is None:
        return [Reply(turn.say("no_team_channel"))]
    name = turn.member.display_name or turn.member.user_id
    line = values["line"].strip()
    # Kept, as the team reads it: teammates can find it with /ask (bot.coach.ask).
    await turn.scope.publish_lesson(reflection, line, turn.now)
    failed = ButtonPressed(turn.actor, turn.place, Action.POST_FAILED, f"{LESSON}{reflection.id}")
    body = turn.say("team_learning", name=UserText(name), line=UserText(line))
    return [ChannelPost(channel, body, confirm=turn.say("learning_published"), failed=failed)]


async def post_failed(turn: Turn, value: str) -> list[Intent]:
    """The platform refused to post a shared line: it is not shared, and not found by /ask."""
    key = value.removeprefix(LESSON)
    reflection = await turn.scope.reflection(turn.member, int(key)) if key.isdigit() else None
    if reflection is not None:
        await turn.scope.publish_lesson(reflection, None, None)
    return [Reply(turn.say("publish_failed"))]
