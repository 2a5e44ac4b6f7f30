"""``/log`` and ``/review`` (the notebook), ``/wins`` (the best-works portfolio)."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.coach import Coach
from bot.events import (
    Action,
    FormRejected,
    FormSubmitted,
    OpenForm,
    Reply,
)
from bot.ports import ManualClock
from bot.store.models import BestWork, Draft, NotebookEntry
from tests.coach.helpers import (
    CHANNEL,
    check_in,
    command,
    member,
    only,
    press,
    rows,
    text,
)


async def says(coach: Coach, name: str, args: str = "") -> str:
    return text(only(await command(coach, member(), name, args), Reply))


async def notes(coach: Coach, kind: str) -> list[str]:
    return [n.text for n in await rows(coach, NotebookEntry, NotebookEntry.kind == kind)]


# --- /log ----------------------------------------------------------------------------------------


async def test_log_without_text_gives_the_usage_line(coach: Coach) -> None:
    for args in ("", "   "):
        said = await says(coach, "log", args)
        assert said == "Usage: /log <what you did, saw or thought today>", repr(args)
    assert await rows(coach, NotebookEntry) == []


async def test_log_adds_a_notebook_entry(coach: Coach, clock: ManualClock) -> None:
    said = await says(coach, "log", "  Loss spikes at step 40k again  ")

    assert said == "Noted in your notebook."

    (entry,) = await rows(coach, NotebookEntry)
    assert (entry.text, entry.kind, entry.created_at) == (
        "Loss spikes at step 40k again",
        "entry",
        clock.now(),
    )


async def test_a_too_long_log_is_refused_and_kept_as_a_draft(coach: Coach) -> None:
    said = await says(coach, "log", "y" * 3001)

    assert "3001 characters; the limit is 3000" in said
    assert await rows(coach, NotebookEntry) == []
    (draft,) = await rows(coach, Draft)
    assert (draft.form_id, draft.values) == ("/log", {"text": "y" * 3001})


async def test_a_log_over_the_command_limit_is_kept_as_a_draft_too(coach: Coach) -> None:
    said = await says(coach, "log", "y" * 5000)

    assert "kept as a draft" in said
    (draft,) = await rows(coach, Draft)  # what the message promises
    assert draft.values == {"text": "y" * 5000}
    assert "the limit is 3000" in said  # the limit that /log applies


# --- /review -------------------------------------------------------------------------------------


async def test_review_with_nothing_recent_says_so(coach: Coach, clock: ManualClock) -> None:
    await command(coach, member(), "log", "An old thought")
    clock.advance(timedelta(days=15))

    assert "Nothing to review from the last two weeks" in await says(coach, "review")
    assert await rows(coach, Draft) == []


async def test_review_drafts_from_the_last_fourteen_days_only(
    coach: Coach, clock: ManualClock
) -> None:
    await command(coach, member(), "log", "Too old: tried cosine schedule")
    clock.advance(timedelta(days=1))
    await command(coach, member(), "log", "Just in: warmup matters\nsecond line is left out")
    clock.advance(timedelta(days=13))
    await check_in(coach, member(), failed="The int8 export diverged")
    clock.advance(timedelta(days=1))  # 15 days after the first entry, 14 after the second

    reply = only(await command(coach, member(), "review"), Reply)

    draft = text(reply)
    assert "A draft of your review" in draft
    assert "Review, 3 November – 17 November 2026" in draft
    assert "What I learned\n- Just in: warmup matters" in draft
    assert "second line" not in draft
    assert "Too old" not in draft
    assert "- Dropped or failed: The int8 export diverged" in draft
    assert "- Next experiment: Add speed perturbation to the noisy clips" in draft
    assert "Fine-tuned the clinic audio recognizer" not in draft  # condensed, not listed
    assert [b.action for b in reply.buttons] == [Action.KEEP_REVIEW, Action.EDIT_REVIEW]
    (saved,) = await rows(coach, Draft)
    assert saved.form_id == "review" and saved.values["text"] in draft


async def test_keep_stores_the_draft_as_a_review(coach: Coach) -> None:
    await command(coach, member(), "log", "Warmup matters")
    await command(coach, member(), "review")
    (draft,) = await rows(coach, Draft)

    kept = only(await press(coach, member(), Action.KEEP_REVIEW), Reply)

    assert text(kept) == "Review kept in your notebook."
    assert await notes(coach, "review") == [draft.values["text"]]
    assert await rows(coach, Draft) == []
    again = only(await press(coach, member(), Action.KEEP_REVIEW), Reply)
    assert "review draft is gone" in text(again)
    assert len(await notes(coach, "review")) == 1


async def test_edit_opens_the_draft_and_keeps_the_edited_text(coach: Coach) -> None:
    await command(coach, member(), "log", "Warmup matters")
    await command(coach, member(), "review")
    (draft,) = await rows(coach, Draft)

    form = only(await press(coach, member(), Action.EDIT_REVIEW), OpenForm).form
    assert form.form_id == "review"
    assert form.fields[0].initial == draft.values["text"]
    edited = "Warmup matters; next: a shorter warmup sweep."
    done = await coach.handle(FormSubmitted(member(), CHANNEL, "review", {"text": edited}))

    assert text(only(done, Reply)) == "Review kept in your notebook."
    assert await notes(coach, "review") == [edited]
    assert await notes(coach, "entry") == ["Warmup matters"]
    assert await rows(coach, Draft) == []


async def test_an_empty_edited_review_is_rejected(coach: Coach) -> None:
    intents = await coach.handle(FormSubmitted(member(), CHANNEL, "review", {"text": ""}))

    assert "text" in only(intents, FormRejected).errors
    assert await notes(coach, "review") == []


# --- /wins ---------------------------------------------------------------------------------------


async def add_work(coach: Coach, title: str, link: str = "", why: str = "") -> str:
    values = {"title": title, "link": link, "why": why}
    return text(only(await coach.handle(FormSubmitted(member(), CHANNEL, "work", values)), Reply))


async def titles(coach: Coach) -> list[str]:
    return [w.title for w in await rows(coach, BestWork)]


async def ranked(coach: Coach) -> list[str]:
    works = sorted(await rows(coach, BestWork), key=lambda w: w.rank)
    return [w.title for w in works]


async def test_wins_add_opens_the_form_and_stores_the_work(coach: Coach) -> None:
    assert "portfolio is empty" in await says(coach, "wins")
    form = only(await command(coach, member(), "wins", "add Geometry prover"), OpenForm).form
    assert form.form_id == "work" and form.fields[0].initial == "Geometry prover"

    said = await add_work(coach, "Geometry prover", "https://example.org/p", "Solved 25/30")

    assert said == "Added to your best works: Geometry prover"
    (work,) = await rows(coach, BestWork)
    assert (work.title, work.link, work.why, work.rank) == (
        "Geometry prover",
        "https://example.org/p",
        "Solved 25/30",
        1,
    )


async def test_a_work_without_a_title_is_rejected(coach: Coach) -> None:
    values = {"title": "", "link": "https://example.org"}
    intents = await coach.handle(FormSubmitted(member(), CHANNEL, "work", values))

    assert "title" in only(intents, FormRejected).errors
    assert await rows(coach, BestWork) == []


async def test_wins_shows_the_best_five_apart_from_the_rest_without_counts(coach: Coach) -> None:
    for n in range(1, 8):
        await add_work(coach, f"Work {n}")

    shown = await says(coach, "wins", "list")

    best, rest = shown.split("Also in your portfolio:")
    assert best.splitlines() == ["Your best five:", *(f"{n}. Work {n}" for n in range(1, 6)), ""]
    assert rest.splitlines() == ["", "6. Work 6", "7. Work 7"]
    lowered = shown.lower()
    for counting in ("total", "average", "streak", "%", "of 7", "7 works", "seven"):
        assert counting not in lowered
    assert not re.search(r"\b\d+\s+(works|wins|items|entries)\b", lowered)


async def test_wins_remove_renumbers_the_rest(coach: Coach) -> None:
    for title in ("A", "B", "C"):
        await add_work(coach, title)

    assert await says(coach, "wins", "remove 2") == "Removed: B"

    assert await ranked(coach) == ["A", "C"]
    assert sorted(w.rank for w in await rows(coach, BestWork)) == [1, 2]
    assert "2. C" in await says(coach, "wins")


async def test_wins_top_moves_a_work_to_first_place(coach: Coach) -> None:
    for title in ("A", "B", "C"):
        await add_work(coach, title)

    assert await says(coach, "wins", "top 3") == "Moved to the top: C"

    assert await ranked(coach) == ["C", "A", "B"]
    assert (await says(coach, "wins")).splitlines()[1] == "1. C"


async def test_an_unknown_work_number_is_named_back(coach: Coach) -> None:
    for title in ("A", "B", "C"):
        await add_work(coach, title)

    for args in ("remove 4", "top 0", "remove 99"):
        said = await says(coach, "wins", args)
        assert said.startswith(f"There is no work number {args.split()[1]}."), args
    assert await ranked(coach) == ["A", "B", "C"]


async def test_malformed_wins_arguments_get_the_usage_line(coach: Coach) -> None:
    await add_work(coach, "A")

    for args in ("remove", "top first", "polish"):
        assert await says(coach, "wins", args) == "Usage: /wins [list | add | remove N | top N]"
    assert await titles(coach) == ["A"]
