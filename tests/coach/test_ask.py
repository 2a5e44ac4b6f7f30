"""Has anyone tried this? ``/ask`` finds only what members of the same team published (check-ins
they pressed Publish on, lines they shared from a reflection), answered privately; a check-in
whose next experiment comes close to a teammate's shared lesson says so, once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.console import ConsoleSession
from bot import analysis
from bot.analysis import likeness
from bot.coach import Coach
from bot.events import (
    Action,
    Actor,
    ButtonPressed,
    CommandInvoked,
    DirectMessage,
    Place,
    Reply,
    TenantRef,
)
from tests.adapters.console.test_transcript import buttons
from tests.coach.helpers import only, text
from tests.conftest import say
from tests.fakes.llm import FakeLLM
from tests.test_llm_privacy import llm, sent, with_llm

COSINE = "Tried a cosine learning rate schedule with a long warmup on the distillation run"
BPE = "Swapped the tokenizer for byte-level BPE on the clinic corpus"
LESSON = "Distilling from a noisy teacher costs more than it gives: clean the teacher labels first"
REFLECTION = (
    "I expected WER 0.25",
    "the teacher was noisy",
    "that the teacher beat the student; one eval on day one",
    "only this route",
    "the eval harness",
    "40%, fair would be 20%",
    "specific to this setup",
    "clean the teacher labels, 8",
)


async def published(coach: Coach, team: TenantRef, user_id: str, name: str, did: str) -> None:
    """A check-in ``name`` wrote and published in ``team``, as stored (an adapter test's seed)."""
    now = coach.clock.now()
    async with coach.db.scope(team, now) as scope:
        author = await scope.ensure_member(user_id, name, None, now)
        checkin = await scope.add_checkin(author, did=did, created_at=now)
        await scope.mark_published(checkin, now)


def session(coach: Coach, exports: Path, name: str, team: str = "lab") -> ConsoleSession:
    return ConsoleSession(coach, team, name, exports)


async def checked_in(
    member: ConsoleSession, did: str, *, publish: bool, next_step: str = ""
) -> str:
    out = await say(member, "/checkin", did, "", "", next_step, "")
    if publish:
        posted = await say(member, str(buttons(out)["Publish to team"]))
        assert f"[#team] {member.member} checked in." in posted, posted
    return out


async def shared_lesson(member: ConsoleSession, line: str) -> None:
    out = await say(member, "/reflect distillation", *REFLECTION)
    await say(member, str(buttons(out)["Publish one line"]))
    posted = await say(member, line)
    assert f"shares a lesson: {line}" in posted, posted


__all__ = ["llm", "with_llm"]  # the LLM fixtures, used here too


@pytest.fixture
def words_only() -> Iterator[None]:
    """The embedded model switched off (COACH_ANALYSIS_MODEL=off); back afterwards."""
    loaded = analysis.semantic_analyzer()
    analysis.configure(enabled=False)
    yield
    analysis.configure()
    analysis._state.analyzer = loaded


async def test_an_empty_question_gets_the_usage(ada: ConsoleSession) -> None:
    out = await say(ada, "/ask")
    assert "Usage: /ask <what you want to try, or a question about it>" in out


async def test_nothing_published_says_so(ada: ConsoleSession, coach: Coach, exports: Path) -> None:
    bruno = session(coach, exports, "Bruno")
    await checked_in(bruno, COSINE, publish=False)  # kept private: not searched

    out = await say(ada, "/ask cosine learning rate schedule with a long warmup")

    assert "Nothing published yet to search" in out
    assert "Bruno" not in out and "cosine" not in out


async def test_finds_a_published_checkin_never_an_unpublished_one(
    ada: ConsoleSession, coach: Coach, exports: Path
) -> None:
    bruno = session(coach, exports, "Bruno")
    await checked_in(bruno, COSINE, publish=True)
    await checked_in(bruno, BPE, publish=False)
    await say(bruno, f"/log {BPE} again")  # a notebook entry: private too

    found = await say(ada, "/ask has anyone tried a cosine schedule with warmup?")
    private = await say(ada, f"/ask {BPE}")  # the exact words of the private check-in

    assert "Closest to your question in what the team published (only you see this):" in found
    assert f"• Bruno, check-in of the week of 2 November 2026: {COSINE}" in found
    assert "[only you]" in found and "[#team]" not in found
    assert "byte-level" not in found
    assert "byte-level" not in private.replace(f"/ask {BPE}", "")
    assert "Nothing close in what your team has published" in private


async def test_another_teams_published_items_are_never_found(
    ada: ConsoleSession, coach: Coach, exports: Path
) -> None:
    bruno = session(coach, exports, "Bruno")
    await checked_in(bruno, COSINE, publish=True)
    cleo = session(coach, exports, "Cleo", team="elsewhere")
    await checked_in(cleo, BPE, publish=True)

    out = await say(ada, f"/ask {BPE}")

    assert "Cleo" not in out and "byte-level" not in out.replace(f"/ask {BPE}", "")
    assert "Nothing close" in out
    # Cleo's own team finds it; Bruno's check-in stays in his.
    theirs = await say(cleo, f"/ask {BPE}")
    assert f"• Cleo, check-in of the week of 2 November 2026: {BPE}" in theirs
    assert "Bruno" not in theirs


async def test_a_shared_lesson_is_found_and_the_rest_of_the_reflection_is_not(
    ada: ConsoleSession, coach: Coach, exports: Path
) -> None:
    bruno = session(coach, exports, "Bruno")
    await shared_lesson(bruno, LESSON)

    out = await say(ada, "/ask distillation with a noisy teacher model")
    answers = await say(ada, "/ask one eval on day one for the student")

    assert f"• Bruno, a lesson shared in the week of 2 November 2026: {LESSON}" in out
    assert "the teacher beat the student" not in answers  # a reflection answer: private
    await say(bruno, "/coach export")  # his export says what he shared, and when
    (markdown,) = [p for p in exports.iterdir() if p.name.endswith(".md")]
    assert f"Shared with the team on Mon 02 Nov 2026: {LESSON}" in markdown.read_text()


async def test_without_the_model_shared_words_find_the_same(
    words_only: None, ada: ConsoleSession, coach: Coach, exports: Path
) -> None:
    bruno = session(coach, exports, "Bruno")
    await checked_in(bruno, COSINE, publish=True)
    await checked_in(bruno, BPE, publish=False)

    found = await say(ada, "/ask cosine warmup schedule for distillation?")
    private = await say(ada, f"/ask {BPE}")

    assert analysis.status().state == "off"
    assert f"• Bruno, check-in of the week of 2 November 2026: {COSINE}" in found
    assert "Nothing close in what your team has published" in private


async def test_a_next_experiment_close_to_a_teammates_lesson_is_mentioned_once(
    ada: ConsoleSession, coach: Coach, exports: Path
) -> None:
    bruno = session(coach, exports, "Bruno")
    await shared_lesson(bruno, LESSON)
    close = "distill the student from the noisy teacher labels"

    first = await checked_in(ada, "Set up the distillation run", publish=False, next_step=close)
    again = await checked_in(ada, "Ran the distillation baseline", publish=False, next_step=close)
    unrelated = await checked_in(
        ada, "Fixed the data loader", publish=False, next_step="profile it"
    )
    own = await checked_in(bruno, "Cleaned labels", publish=False, next_step=close)

    assert f"Bruno tried something close in the week of 2 November 2026: “{LESSON}”." in first
    assert "[#team]" not in first  # said privately, in the check-in's answer
    assert "tried something close" not in again  # once per member and lesson
    assert "tried something close" not in unrelated
    assert "tried something close" not in own  # his own lesson


async def test_through_the_core_the_answer_is_private(coach: Coach, exports: Path) -> None:
    bruno = session(coach, exports, "Bruno")
    await checked_in(bruno, COSINE, publish=True)
    asker = Actor(TenantRef("console", "lab"), "grace", "Grace")

    intents = await coach.handle(
        CommandInvoked(asker, Place.channel("team"), "ask", "cosine warmup schedule")
    )

    reply = only(intents, Reply)
    assert not [i for i in intents if not isinstance(i, Reply | DirectMessage)]
    assert f"Bruno, check-in of the week of 2 November 2026: {COSINE}" in text(reply)


async def test_a_lesson_whose_post_was_refused_is_not_shared(
    ada: ConsoleSession, coach: Coach, exports: Path
) -> None:
    bruno = session(coach, exports, "Bruno")
    await shared_lesson(bruno, LESSON)
    refused = ButtonPressed(bruno.actor, Place.channel("team"), Action.POST_FAILED, "lesson:1")

    said = await coach.handle(refused)  # what an adapter hands back when the platform refuses

    assert "couldn't post to the team channel" in text(only(said, Reply))
    assert "Nothing published yet to search" in await say(ada, "/ask noisy teacher distillation")


async def test_forget_me_takes_what_they_published_out_of_every_search(
    ada: ConsoleSession, coach: Coach, exports: Path
) -> None:
    bruno = session(coach, exports, "Bruno")
    await checked_in(bruno, COSINE, publish=True)
    assert "Bruno" in await say(ada, "/ask cosine warmup schedule")

    await say(bruno, "/coach forget me", "1")

    assert not likeness._vectors.kept  # nor their words' vectors in memory
    assert "Nothing published yet to search" in await say(ada, "/ask cosine warmup schedule")


async def test_a_lesson_of_someone_who_said_no_to_the_llm_stays_out_of_what_it_reads(
    with_llm: ConsoleSession, llm: FakeLLM, exports: Path
) -> None:
    ada = with_llm
    bruno = session(ada.coach, exports, "Bruno")
    await say(bruno, "/coach ai off")
    await shared_lesson(bruno, LESSON)
    close = "distill the student from the noisy teacher labels"

    out = await checked_in(ada, "Set up the distillation run", publish=False, next_step=close)
    await ada.follow_up()

    assert "tried something close" not in out
    assert sent(llm, "noisy teacher costs") == 0


async def test_with_nudges_off_a_checkin_mentions_no_lesson(
    ada: ConsoleSession, coach: Coach, exports: Path
) -> None:
    bruno = session(coach, exports, "Bruno")
    await shared_lesson(bruno, LESSON)
    await say(ada, "/coach nudges off")
    close = "distill the student from the noisy teacher labels"

    out = await checked_in(ada, "Set up the distillation run", publish=False, next_step=close)

    assert "Next: distill the student" in out and "tried something close" not in out
    assert "Bruno, a lesson shared" in await say(ada, "/ask noisy teacher distillation")
