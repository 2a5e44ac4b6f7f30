"""Save to notebook in the console: a terminal has no message menu, so the console numbers the
channel messages it shows; ``/save`` lists the recent ones, newest first, and ``/save N`` opens
the same form as Slack's and Discord's "Save to notebook", step by step. Sent, it is a notebook
entry with the message's words, the member's note and where the message was; nothing is posted.
"""

from __future__ import annotations

from pathlib import Path

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.store.models import NotebookEntry
from tests.adapters.console.test_transcript import GOAL, buttons
from tests.coach.helpers import rows
from tests.conftest import say, transcript
from tests.privacy import Watch

DID = "Cleaned the clinic labels; WER 0.28 on clinic-50 after re-segmenting"
POSTED = f"Bruno checked in.\nGoal: Transcribe clinic audio reliably\nDid: {DID}"
NOTE = "try the same re-segmenting on the 7B run"
NOTHING_SHOWN = "No channel message has been shown in this session yet"


def quoted_in_a_notebook(privacy: Watch, text: str) -> None:
    """``text`` was in #team before a member saved it: its words, at the start of their notebook
    entry, are not a leak (the watch looks for an entry by its start). The member's note is
    checked by the test itself: no channel post holds it."""
    privacy.public.append(text)


def channel_posts(privacy: Watch) -> list[str]:
    """Every channel post of the test so far: the coach's and the console's."""
    return [post.text for post in (*privacy.coach.posts, *privacy.console.posts)]


async def test_a_published_check_in_is_saved_with_a_note_and_a_link(
    coach: Coach, exports: Path, privacy: Watch
) -> None:
    console = ConsoleSession(coach, "lab", "Bruno", exports)
    await say(console, *GOAL)
    out = await say(console, "/checkin", DID, "", "", "", "")
    out = await say(console, str(buttons(out)["Publish to team"]))
    assert "[#team] Bruno checked in." in out
    quoted_in_a_notebook(privacy, POSTED)
    posts_before = channel_posts(privacy)

    await say(console, "/as Ada")
    listed = await say(console, "/save")
    opened = await say(console, "/save 1")
    note = await say(console, "")  # Enter keeps the message's words as they are
    saved = await say(console, NOTE)

    assert listed.startswith("[console] Channel messages shown lately, newest first")
    assert "\n   1. Bruno checked in. Goal: Transcribe clinic audio reliably Did: " in listed
    assert len(listed.splitlines()) == 2  # the message on one line, cut
    assert "[form] Save to notebook 1/2: The message" in opened
    assert "   | Did: " + DID in opened
    assert "[form] Save to notebook 2/2: Your note" in note
    assert saved == (
        "[only you] Saved to your notebook, with a link to the message: console:#team/1"
    )
    (entry,) = await rows(coach, NotebookEntry)
    assert entry.text == (
        f"{POSTED}\n\nMy note: {NOTE}\nSaved from a message by Bruno: console:#team/1"
    )
    found = await say(console, "/log search re-segmenting")
    assert NOTE in found and "console:#team/1" in found
    # Saving posted nothing, and the note is in no channel post.
    assert channel_posts(privacy) == posts_before
    assert not any("7B run" in post for post in channel_posts(privacy))
    await say(console, "/as Bruno")
    assert NOTE not in await say(console, "/log search re-segmenting")  # Ada's notebook alone


async def test_save_lists_the_last_messages_newest_first_and_saves_the_coachs_own(
    ada: ConsoleSession, coach: Coach, privacy: Watch
) -> None:
    printed: list[str] = []
    ada.messenger.sink = printed.append  # what the scheduler posts, as the terminal shows it
    for number in range(1, 25):
        body = (f"Week {number} digest: 3 check-ins, 1 lesson shared.",)
        await ada.messenger.post(ada.tenant, "team", body)
    long = ("Nudge for the team:\n" + "Write the result before running it. " * 5,)
    await ada.messenger.post(ada.tenant, "team", long)
    assert printed[-1].startswith("[#team] Nudge for the team:")

    listed = (await say(ada, "/save")).splitlines()

    assert len(listed) == 1 + 20  # the last twenty, one line each
    assert listed[1].startswith("   25. Nudge for the team: Write the result before running it.")
    assert listed[1].endswith("…") and len(listed[1]) < 85
    assert listed[2] == "   24. Week 24 digest: 3 check-ins, 1 lesson shared."
    assert listed[-1] == "   6. Week 6 digest: 3 check-ins, 1 lesson shared."
    assert "no message 5 among" in await say(ada, "/save 5")  # gone from the console's memory

    digest = "Week 24 digest: 3 check-ins, 1 lesson shared."
    quoted_in_a_notebook(privacy, digest)
    out = await transcript(ada, "/save 24", "", "-")
    assert "console:#team/24" in out and "[#team]" not in out
    (entry,) = await rows(coach, NotebookEntry)
    assert entry.text == f"{digest}\n\nSaved from a message by the coach: console:#team/24"


async def test_nothing_shown_or_an_unknown_number_is_answered_clearly(
    ada: ConsoleSession, coach: Coach
) -> None:
    for line in ("/save", "/save 9"):
        assert (await say(ada, line)).startswith(f"[console] {NOTHING_SHOWN}")
    await say(ada, *GOAL)
    out = await say(ada, "/checkin", DID, "", "", "", "")
    await say(ada, str(buttons(out)["Publish to team"]))

    for line in ("/save 9", "/save 0"):
        out = await say(ada, line)
        assert out.startswith("[console] There is no message ")
        assert "/save lists them" in out
    assert (await say(ada, "/save two")).startswith("[console] Usage: /save lists")
    assert ada.form is None
    assert await rows(coach, NotebookEntry) == []


async def test_save_typed_in_a_form_is_an_answer_not_a_command(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)
    out = await say(ada, "/checkin", "/save the best seed for later")
    assert "Weekly check-in 2/5" in out  # the form goes on, the line kept as what was done
    assert ada.form is not None and ada.form.values["did"] == "/save the best seed for later"


async def test_a_forgotten_members_posts_leave_the_consoles_memory(ada: ConsoleSession) -> None:
    await say(ada, "/as Bruno", *GOAL)
    out = await say(ada, "/checkin", DID, "", "", "", "")
    await say(ada, str(buttons(out)["Publish to team"]))
    await say(ada, "/as Ada", *GOAL)
    out = await say(ada, "/checkin", "Ran the 7B baseline on clinic-50 again", "", "", "", "")
    await say(ada, str(buttons(out)["Publish to team"]))
    assert "   1. Bruno checked in." in await say(ada, "/save")

    await say(ada, "/as Bruno")
    out = await say(ada, "/coach forget me")
    await say(ada, str(buttons(out)["Delete everything"]))

    listed = await say(ada, "/save")
    assert "   2. Ada checked in." in listed and "Bruno" not in listed
    assert "no message 1 among" in await say(ada, "/save 1")
