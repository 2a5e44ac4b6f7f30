"""The adapter's small parts on their own: escaping, fitting, custom ids, memory, tracking."""

from __future__ import annotations

import asyncio

import pytest

from adapters.discord import modals, sanitize
from adapters.discord.inflight import InFlight
from adapters.discord.pending import Pending, Reopen, Retry
from bot.events import Actor, Choice, CommandInvoked, FieldKind, Form, FormField, Place, TenantRef


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("@everyone", "@\u200beveryone"),
        ("@HERE now", "@\u200bHERE now"),
        ("<@123>", "<\u200b@123>"),
        ("<@!123>", "<\u200b@!123>"),
        ("<@&9>", "<\u200b@&9>"),
        ("<#77>", "<\u200b#77>"),
        ("mail me at a@here.org", "mail me at a@\u200bhere.org"),
        ("[click](https://evil.example)", "\\[click](https://evil.example)"),
        ("**bold** and `code`", "\\*\\*bold\\*\\* and \\`code\\`"),
    ],
)
def test_escape(typed: str, shown: str) -> None:
    assert sanitize.escape(typed) == shown


def test_fit_splits_at_line_breaks_then_cuts_with_a_note() -> None:
    lines = "\n".join(f"line {n:04d} " + "x" * 80 for n in range(60))  # about 5,500 characters
    parts = sanitize.fit(lines)
    assert len(parts) == 3 and all(len(p) <= 2000 for p in parts)
    assert parts[0].endswith("x") and parts[1].startswith("line ")  # split between lines
    assert "".join(parts[:2]).replace("\n", "") in lines.replace("\n", "")
    assert sanitize.fit("short") == ["short"]
    assert "(cut: " in sanitize.fit("y" * 7000)[-1]


def _form(*fields: FormField, context: str = "") -> Form:
    return Form("checkin", "Weekly check-in", fields, context=context)


def test_a_form_with_one_field_too_many_asks_its_choice_first() -> None:
    goal = FormField("goal", "Goal", FieldKind.CHOICE, choices=(Choice("1. A", "1"),))
    texts = tuple(FormField(f"f{n}", f"Field {n}") for n in range(5))
    pick, shown = modals.layout(_form(goal, *texts))
    assert pick == goal and shown == texts
    with pytest.raises(modals.FormTooBig):
        modals.layout(_form(*texts, FormField("f5", "Field 5")))


def test_custom_ids_round_trip_and_stay_short() -> None:
    form = _form(FormField("did", "Did"), context="12:a b")
    custom_id = modals.form_custom_id(form, {"goal": "2"}, "339738624")
    assert len(custom_id) <= 100
    parsed = modals.parse_custom_id(custom_id)
    assert parsed == modals.Submitted("checkin", "12:a b", {"goal": "2"}, "339738624")
    assert modals.parse_custom_id("someone-elses-modal") is None
    with pytest.raises(modals.FormTooBig):
        modals.form_custom_id(_form(context="x" * 100))


def test_pending_entries_belong_to_their_member_and_expire() -> None:
    now = [0.0]
    pending = Pending(limit=2, keep_for=60, clock=lambda: now[0])
    actor = Actor(TenantRef("discord", "1"), "42")
    token = pending.keep(Retry("42", CommandInvoked(actor, Place.dm(), "log", "x")))
    assert pending.get(token, "43") is None  # someone else's press
    assert isinstance(pending.get(token, "42"), Retry)
    now[0] = 61
    assert pending.get(token, "42") is None
    tokens = [pending.keep(Reopen("42", _form())) for _ in range(3)]
    assert pending.get(tokens[0], "42") is None  # the oldest went first
    assert pending.get(tokens[2], "42") is not None


async def test_inflight_tells_when_an_answer_is_done_and_drains() -> None:
    inflight = InFlight()
    release = asyncio.Event()

    async def answer() -> None:
        async with inflight.track("7"):
            await release.wait()

    task = asyncio.create_task(answer())
    await asyncio.sleep(0)
    assert inflight.busy == 1
    assert not await inflight.drain(0.01)
    release.set()
    await asyncio.wait_for(inflight.finished("7"), 1)
    assert await inflight.drain(0.01)
    await task
