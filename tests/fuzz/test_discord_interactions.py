"""Hostile interactions through the fake Discord gateway, to the unmodified discord.py client:
application commands with odd options, components with random or forged custom ids, modal
submits with missing or oversized components, autocomplete with hostile input, in a server
or in a DM, naming the ids and the guild of another server.

Guild LAB holds a member whose every word carries ``MARKER``; Mallory, who is only in guild
OTHER, sends everything. The client must keep answering (each hostile interaction is followed
by an ordinary one, which must be answered), our code must log no failure, and nothing of
LAB may appear in any REST call the fake received.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from functools import cache
from typing import Any, cast
from urllib.parse import quote, urlencode

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import select

from adapters.discord.commands import build as build_commands  # first: it imports discord
from bot.coach import Coach
from bot.events import Action, TenantRef
from bot.store.models import Member, Tenant
from tests.adapters.discord.transcript import Bot, Researcher, running
from tests.fakes import discord_spec
from tests.fakes.discord import EPHEMERAL, FakeDiscord, Person, pointed_at
from tests.fuzz.conftest import crashes, leaked, seed_first_tenant, settle

LAB, LAB_CHANNEL = 80 << 22, 8101
OTHER, OTHER_CHANNEL = 81 << 22, 8201
ADA = Person(4242, "Ada")  # LAB's member
MALLORY = Person(6666, "Mallory")  # only ever in OTHER
NORA = Person(7777, "Nora")  # in OTHER too, using the coach as usual


@pytest.fixture
async def bot(coach: Coach) -> AsyncIterator[Bot]:
    fake = await FakeDiscord().start()
    fake.add_guild(LAB, "Lab", LAB_CHANNEL)
    fake.add_guild(OTHER, "Other lab", OTHER_CHANNEL)
    await seed_first_tenant(coach, TenantRef("discord", str(LAB)), str(ADA.id))
    try:
        with pointed_at(fake):
            async with running(fake, coach) as started:
                yield started
    finally:
        await fake.close()
    assert fake.unexpected() == [], "the bot called endpoints the fake does not know"


@pytest.fixture
def mallory(bot: Bot) -> Researcher:
    return Researcher(bot, MALLORY, OTHER, OTHER_CHANNEL)


@pytest.fixture
def nora(bot: Bot) -> Researcher:
    return Researcher(bot, NORA, OTHER, OTHER_CHANNEL)


# --- strategies ---------------------------------------------------------------------------

texts = st.one_of(
    st.text(max_size=120),
    st.sampled_from(["@everyone", "<@4242>", "<#8101>", "\x00\u202e", "1; DROP TABLE goals"]),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(2000, 5000)),
)
# Values naming LAB's rows and LAB itself.
forged = st.one_of(
    st.integers(-2, 10).map(str),
    st.sampled_from(["", "1", str(LAB), str(ADA.id), "1e3", "nan", "%31"]),
    st.text(max_size=20),
)
guild_part = st.sampled_from(["", f":{LAB}", f":{OTHER}", ":1"])


@cache
def command_specs() -> list[tuple[tuple[str, ...], list[dict[str, Any]]]]:
    """(the path, the options) of every command the coach registers, as Discord sees them."""
    import discord
    from discord import app_commands

    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    found = []

    def walk(path: tuple[str, ...], spec: dict[str, Any]) -> None:
        subs = [o for o in spec.get("options", []) if o["type"] in (1, 2)]
        for sub in subs:
            walk((*path, sub["name"]), sub)
        if not subs:
            found.append((path, list(spec.get("options", []))))

    for command in build_commands(cast(Any, None)):  # the sink is only used when invoked
        walk((command.name,), command.to_dict(tree))
    return found


# Discord checks each option's type against the synced command (and JSON has no NaN), so
# values are of the declared type; within it, anything: lengths and ranges are not checked.
VALUES = {
    3: texts,
    4: st.integers(-2, 12) | st.integers(-(2**53), 2**53),  # small ones name LAB's rows
    5: st.booleans(),
    10: st.floats(allow_nan=False, allow_infinity=False),
}


def _nested(path: tuple[str, ...], given: list[dict[str, Any]]) -> dict[str, Any]:
    """Interaction data for ``path`` ("coach team show": a group, a subgroup, a command)."""
    for level in reversed(path[1:]):
        given = [{"type": 1, "name": level, "options": given}]
    if len(path) == 3:
        given[0]["type"] = 2
    return {"id": "1", "name": path[0], "type": 1, "options": given}


@st.composite
def commands(draw: st.DrawFn) -> tuple[int, dict[str, Any]]:
    """A real command with hostile values, now and then a command that does not exist."""
    path, specs = draw(st.sampled_from(command_specs()))
    given = []
    for spec in specs:
        if spec.get("required") or draw(st.booleans()):
            value = draw(VALUES.get(spec["type"], texts))
            given.append({"type": spec["type"], "name": spec["name"], "value": value})
    if draw(st.integers(0, 9)) == 0:
        path = (draw(st.text(max_size=10)), *path[1:])
    return 2, _nested(path, given)


@st.composite
def autocompletes(draw: st.DrawFn) -> tuple[int, dict[str, Any]]:
    """Typing into an option that autocompletes: the typed text is any text."""
    offered = [(p, o) for p, specs in command_specs() for o in specs if o.get("autocomplete")]
    path, spec = draw(st.sampled_from(offered))
    # Discord's client lets only digits be typed into a number option.
    typed = texts if spec["type"] == 3 else st.from_regex(r"-?[0-9]{0,20}", fullmatch=True)
    focused = {"type": spec["type"], "name": spec["name"], "value": draw(typed), "focused": True}
    return 4, _nested(path, [focused])


actions = st.sampled_from([a.value for a in Action]) | st.text(max_size=12)
custom_ids = st.one_of(
    st.text(max_size=100),
    st.builds(lambda a, v, g: f"rc:{a}:{quote(v, safe='')}{g}", actions, forged, guild_part),
    st.builds(lambda k, t: f"rc-{k}:{t}", st.sampled_from(["reopen", "retry", "pick"]), forged),
    st.builds(lambda g: f"rc-reply{g}", guild_part),
)


@st.composite
def components(draw: st.DrawFn) -> tuple[int, dict[str, Any]]:
    data: dict[str, Any] = {
        "custom_id": draw(custom_ids),
        "component_type": draw(st.sampled_from([2, 3])),
    }
    if data["component_type"] == 3:
        data["values"] = draw(st.lists(forged, max_size=3))
    return 3, data


FORMS = ["goal", "checkin", "settings", "work", "review", "learning", "team_rhythm", "team_digest"]
FIELDS = [
    "did",
    "failed",
    "capability",
    "metric_name",
    "direction",
    "line",
    "text",
    "title",
    "goal",
    "answer",
]
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def modal_components(draw: st.DrawFn) -> Any:
    text_input = st.builds(
        lambda name, value: {"type": 4, "custom_id": name, "value": value},
        st.sampled_from(FIELDS) | st.text(max_size=8),
        texts | st.none(),
    )
    select = st.builds(
        lambda name, values: {"type": 3, "custom_id": name, "values": values},
        st.sampled_from(FIELDS),
        st.lists(forged, max_size=3),
    )
    item = st.one_of(
        st.builds(lambda c: {"type": 18, "component": c}, text_input | select),
        st.builds(lambda c: {"type": 1, "components": c}, st.lists(text_input, max_size=3)),
        st.just({"type": 18}),  # a label with its component missing
        junk,
    )
    return draw(st.lists(item, max_size=7))  # Discord always sends a list


@st.composite
def modal_submits(draw: st.DrawFn) -> tuple[int, dict[str, Any]]:
    form = draw(st.sampled_from(FORMS) | st.text(max_size=8))
    fixed = urlencode(draw(st.dictionaries(st.sampled_from(FIELDS), forged, max_size=2)))
    head = f"rcf:{quote(form, safe='')}"
    ours = st.builds(
        lambda ctx, g: f"{head}:{quote(ctx, safe='')}:{quote(fixed, safe='')}{g or ':'}",
        forged,
        guild_part,
    )
    custom_id = draw(
        st.one_of(
            ours, ours, st.builds(lambda g: f"rc-reply-modal{g}", guild_part), st.text(max_size=100)
        )
    )
    return 5, {"custom_id": custom_id, "components": draw(modal_components())}


KINDS = (commands(), autocompletes(), components(), modal_submits())
interactions = st.integers(0, len(KINDS) - 1).flatmap(lambda i: KINDS[i])


def message_for(fake: FakeDiscord, data: dict[str, Any]) -> dict[str, Any] | None:
    """The message a component is on (discord.py looks the component up in it)."""
    if "component_type" not in data:
        return None
    component: dict[str, Any] = {"type": data["component_type"], "custom_id": data["custom_id"]}
    if data["component_type"] == 2:
        component.update(style=2, label="Press")
    else:
        component["options"] = [{"label": v or "-", "value": v or "-"} for v in data["values"]]
    return fake._message(0, {"components": [{"type": 1, "components": [component]}]}, EPHEMERAL)


# --- the properties -------------------------------------------------------------------------


refs = st.sampled_from(["1", "2", "0"])  # LAB's rows are all number 1


@st.composite
def forged_references(draw: st.DrawFn) -> tuple[int, dict[str, Any]]:
    """Well-formed interactions whose numbers name LAB's rows, some naming LAB itself."""
    kind = draw(st.sampled_from([2, 3, 5]))
    if kind == 2:
        # The commands that take a goal's or a work's number.
        referring = [(p, o) for p, o in command_specs() if any(x["type"] == 4 for x in o)]
        path, specs = draw(st.sampled_from(referring))
        values = {3: refs, 4: refs.map(int), 10: st.just(0.5)}
        given = [
            {"type": o["type"], "name": o["name"], "value": draw(values[o["type"]])}
            for o in specs
            if o["type"] in values
        ]
        return 2, _nested(path, given)
    if kind == 3:
        action = draw(st.sampled_from([a.value for a in Action]))
        value = draw(refs | refs.map(lambda r: f"checkin:{r}") | refs.map(lambda r: f"goal:{r}"))
        custom_id = f"rc:{action}:{quote(value, safe='')}{draw(guild_part)}"
        return 3, {"custom_id": custom_id, "component_type": 2}
    form, ref, guild = draw(st.sampled_from(FORMS)), draw(refs), draw(guild_part)
    names = draw(st.sets(st.sampled_from(FIELDS)))
    return 5, {
        "custom_id": f"rcf:{form}:{ref}:{guild or ':'}",
        "components": [
            {"type": 18, "component": {"type": 4, "custom_id": n, "value": draw(refs)}}
            for n in names
        ],
    }


@given(interaction=interactions, in_dm=st.booleans())
async def test_hostile_interactions_crash_nothing_and_see_nothing_of_another_server(
    bot: Bot,
    nora: Researcher,
    caplog: pytest.LogCaptureFixture,
    interaction: tuple[int, dict[str, Any]],
    in_dm: bool,
) -> None:
    await send_and_check(bot, nora, caplog, *interaction, in_dm)


@given(interaction=forged_references(), in_dm=st.booleans())
async def test_interactions_naming_another_servers_rows_see_nothing_of_it(
    bot: Bot,
    nora: Researcher,
    caplog: pytest.LogCaptureFixture,
    interaction: tuple[int, dict[str, Any]],
    in_dm: bool,
) -> None:
    await send_and_check(bot, nora, caplog, *interaction, in_dm)


async def send_and_check(
    bot: Bot,
    nora: Researcher,
    caplog: pytest.LogCaptureFixture,
    kind: int,
    data: dict[str, Any],
    in_dm: bool,
) -> None:
    """Mallory sends one interaction: nothing of LAB in any REST call, no failure of our code,
    and an ordinary command answered afterwards."""
    fake = bot.fake
    before = asyncio.all_tasks()
    start, logged = len(fake.calls), len(caplog.records)
    guild, channel = (None, None) if in_dm else (OTHER, OTHER_CHANNEL)
    payload = fake.interaction(kind, MALLORY, guild, channel, data, message=message_for(fake, data))
    await fake.push("INTERACTION_CREATE", payload, guild)
    # The gateway delivers in order: once this ordinary command is answered, the hostile one
    # has reached the client; then everything it started is waited for. (Nora, not Mallory:
    # Mallory's own commands would race her forged "forget" and fail, see the report.)
    normal = await nora.slash("coach help")
    assert normal.replies, "the client stopped answering"
    await settle(before)

    answered = bool(fake.answers_to(int(payload["id"])))
    event(f"type {kind}, {'DM' if in_dm else 'server'}, answered: {answered}")
    sent = [json.dumps([c.path, c.json], ensure_ascii=False) for c in fake.calls[start:]]
    assert leaked(sent) == []
    assert crashes(caplog.records[logged:]) == []
    # Whatever came in, what the bot answered is a body Discord takes.
    assert discord_spec.breaches(fake.calls[start:]) == []


async def test_a_dm_button_naming_a_server_the_member_never_used_does_not_act_there(
    bot: Bot, mallory: Researcher, coach: Coach
) -> None:
    """A custom id names the guild of a DM's button; forged, it must not make Mallory a member
    of LAB (who could then post into LAB's channels)."""
    forged_submit = {
        "custom_id": f"rcf:checkin:1::{LAB}",
        "components": [{"type": 18, "component": {"type": 4, "custom_id": "did", "value": "spam"}}],
    }
    for kind, data in [
        (5, forged_submit),
        (3, {"custom_id": f"rc:checkin.publish:1:{LAB}", "component_type": 2}),
        (3, {"custom_id": f"rc:review.draft:-:{LAB}", "component_type": 2}),
    ]:
        message = message_for(bot.fake, data)
        payload = bot.fake.interaction(kind, MALLORY, None, None, data, message=message)
        answer = await mallory._send(payload, in_dm=True)
        assert answer.replies or answer.calls, "the forged interaction was not answered"
    async with coach.db.session() as session:
        query = select(Tenant.external_id).join(Member).where(Member.user_id == str(MALLORY.id))
        tenants = set((await session.execute(query)).scalars())
    assert str(LAB) not in tenants
    assert bot.fake.posted_in(LAB_CHANNEL) == []
