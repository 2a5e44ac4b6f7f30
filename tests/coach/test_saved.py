""" "Save to notebook" on a message (``MessageSaved``): a pre-filled form, then a private entry
with the member's note and a link back to the message; nothing saved from an empty message;
a long one kept whole as a draft; the notebook's limit holds."""

from __future__ import annotations

from bot.coach import Coach, forms
from bot.coach.limits import Limits
from bot.events import (
    CommandInvoked,
    FieldKind,
    FormRejected,
    FormSubmitted,
    Intent,
    MessageSaved,
    OpenForm,
    Reply,
)
from bot.ports import ManualClock
from bot.store import Database
from bot.store.models import Draft, NotebookEntry
from tests.coach.helpers import CHANNEL, member, only, rows, text

LINK = "https://lab.slack.com/archives/C1/p1733500000000100"
WORDS = "lr 3e-4 diverges after 2k steps; 1e-4 with warmup is stable"


async def save(coach: Coach, words: str = WORDS, link: str = LINK, author: str = "Grace") -> Intent:
    (answer,) = await coach.handle(MessageSaved(member(), CHANNEL, words, link, author))
    return answer


async def submit(coach: Coach, opened: OpenForm, **values: str) -> list[Intent]:
    form = opened.form
    filled = {f.name: values.get(f.name, f.initial) for f in form.fields}
    return await coach.handle(FormSubmitted(member(), CHANNEL, form.form_id, filled, form.context))


async def test_the_form_opens_with_the_message_and_an_optional_note(coach: Coach) -> None:
    opened = await save(coach)

    assert isinstance(opened, OpenForm)
    text_field, note = opened.form.fields
    assert (text_field.initial, text_field.kind, text_field.max_length) == (
        WORDS,
        FieldKind.LONG,
        forms.LONG,
    )
    assert text_field.required and not note.required
    assert opened.form.title == "Save to notebook"
    assert LINK not in opened.form.context  # a short key: it fits a Discord modal's id
    assert await rows(coach, NotebookEntry) == []  # nothing is saved until it is sent


async def test_sent_it_is_an_entry_with_the_words_the_note_and_the_link(
    coach: Coach, clock: ManualClock
) -> None:
    opened = await save(coach)
    assert isinstance(opened, OpenForm)

    answer = only(await submit(coach, opened, note="try warmup on the 7B too"), Reply)

    assert text(answer) == f"Saved to your notebook, with a link to the message: {LINK}"
    (entry,) = await rows(coach, NotebookEntry)
    assert (entry.kind, entry.created_at) == ("entry", clock.now())
    assert entry.text == (
        f"{WORDS}\n\nMy note: try warmup on the 7B too\nSaved from a message by Grace: {LINK}"
    )
    # The link waited for the form only: once sent, nothing of it is left in the drafts.
    assert await rows(coach, Draft) == []


async def test_the_words_can_be_edited_and_the_note_left_out(coach: Coach) -> None:
    opened = await save(coach, author="")
    assert isinstance(opened, OpenForm)

    await submit(coach, opened, text="  only the stable setting: 1e-4 with warmup  ")

    (entry,) = await rows(coach, NotebookEntry)
    kept = "only the stable setting: 1e-4 with warmup"
    assert entry.text == f"{kept}\n\nSaved from a message: {LINK}"
    found = await coach.handle(CommandInvoked(member(), CHANNEL, "log", "search warmup"))
    assert LINK in text(only(found, Reply))


async def test_two_messages_saved_at_once_keep_their_own_links(coach: Coach) -> None:
    other = "https://discord.com/channels/1/2/3"
    first, second = await save(coach), await save(coach, "a second message", other)
    assert isinstance(first, OpenForm) and isinstance(second, OpenForm)

    await submit(coach, second)
    await submit(coach, first)

    entries = [e.text for e in await rows(coach, NotebookEntry)]
    assert entries[0].startswith("a second message") and entries[0].endswith(other)
    assert entries[1].startswith(WORDS) and entries[1].endswith(LINK)


async def test_a_message_with_no_words_is_answered_and_nothing_saved(coach: Coach) -> None:
    for words in ("", "   \n"):
        answer = await save(coach, words)

        assert isinstance(answer, Reply)
        assert "no words I can read" in text(answer)
    assert await rows(coach, NotebookEntry) == []
    assert await rows(coach, Draft) == []


async def test_a_message_too_long_is_kept_whole_as_a_draft(coach: Coach) -> None:
    long = "x" * (forms.LONG + 1)

    answer = await save(coach, long)

    assert isinstance(answer, Reply)
    assert f"That message is {forms.LONG + 1} characters" in text(answer)
    assert "kept whole as a draft" in text(answer)
    (draft,) = await rows(coach, Draft)
    assert (draft.form_id, draft.values["text"], draft.values["link"]) == ("save", long, LINK)
    assert await rows(coach, NotebookEntry) == []


async def test_words_made_too_long_in_the_form_are_turned_down_and_kept(coach: Coach) -> None:
    opened = await save(coach)
    assert isinstance(opened, OpenForm)
    long = "y" * (forms.LONG + 5)

    rejected = only(await submit(coach, opened, text=long), FormRejected)

    assert "over the limit of 3000" in rejected.errors["text"]
    assert rejected.form.context == opened.form.context  # sent again, it still has its link
    (draft,) = [d for d in await rows(coach, Draft) if d.form_id == "save"]
    assert draft.values["text"] == long and draft.values["link"] == LINK
    await submit(coach, opened, text="shorter")
    (entry,) = await rows(coach, NotebookEntry)
    assert entry.text.endswith(LINK)
    assert [d.form_id for d in await rows(coach, Draft)] == []  # its draft went with it


async def test_a_full_notebook_takes_no_more_and_keeps_the_message(
    db: Database, clock: ManualClock
) -> None:
    coach = Coach(db, clock, limits=Limits(notebook_entries=1))
    opened = await save(coach)
    assert isinstance(opened, OpenForm)
    await submit(coach, opened)

    refused = await save(coach, "one more finding")

    assert isinstance(refused, Reply)
    assert "Your notebook is full (1 entries)" in text(refused)
    assert len(await rows(coach, NotebookEntry)) == 1
    (draft,) = await rows(coach, Draft)
    assert draft.values["text"] == "one more finding"
