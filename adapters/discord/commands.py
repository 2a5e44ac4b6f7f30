"""The seven application commands, each turned into the core's ``CommandInvoked`` with the same
words as on every platform: ``/goal update number:2 value:0.31`` is ``/goal update 2 0.31``.

Options that the core reads from a form rather than from the command text (``/coach settings
timezone:``) pre-fill that form. Goal and work numbers and IANA time zones autocomplete.
Commands are used in servers only: a DM has no team, and the coach's data lives in a server.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal, Protocol

import discord
from discord import app_commands

CHOICES_LIMIT = 25  # autocomplete suggestions Discord shows


class CommandSink(Protocol):
    """What receives commands and answers autocomplete: the adapter's dispatcher."""

    async def on_command(
        self,
        interaction: discord.Interaction,
        name: str,
        text: str,
        prefill: Mapping[str, str] | None = None,
    ) -> None: ...

    async def goal_choices(
        self, interaction: discord.Interaction, active_only: bool
    ) -> list[tuple[int, str]]:
        """(number, capability) of the member's goals."""
        ...

    async def work_choices(self, interaction: discord.Interaction) -> list[tuple[int, str]]:
        """(position, title) of the member's best works."""
        ...


def _words(*parts: object) -> str:
    """The command text: the given parts, ``None`` left out. ``_words("show", None) == "show"``."""
    return " ".join(str(p) for p in parts if p is not None and str(p) != "").strip()


def _number(value: float) -> str:
    """A metric value as the member would type it: ``_number(3.0) == "3"``."""
    return f"{value:.15g}"


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA zone name, sorted (about 600)."""
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


def zone_suggestions(current: str) -> list[str]:
    """Zones containing what was typed, those starting with it first.

    >>> zone_suggestions("berl")
    ['Europe/Berlin']
    """
    typed = current.strip().lower().replace(" ", "_")
    if not typed:
        return ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]
    found = [z for z in time_zones() if typed in z.lower()]
    found.sort(key=lambda z: (not z.lower().split("/")[-1].startswith(typed), z))
    return found[:CHOICES_LIMIT]


def _numbered(found: list[tuple[int, str]], current: str) -> list[app_commands.Choice[int]]:
    typed = current.strip().lower()
    return [
        app_commands.Choice(name=f"{n}. {title}"[:100], value=n)
        for n, title in found
        if not typed or typed in f"{n}. {title}".lower()
    ][:CHOICES_LIMIT]


def build(sink: CommandSink) -> list[app_commands.Command[Any, ..., None] | app_commands.Group]:
    """The commands, answered by ``sink``."""

    async def all_goals(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return _numbered(await sink.goal_choices(interaction, active_only=False), current)

    async def active_goals(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return _numbered(await sink.goal_choices(interaction, active_only=True), current)

    async def works(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return _numbered(await sink.work_choices(interaction), current)

    async def zones(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in zone_suggestions(current)]

    async def reflect_topics(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        suggestions = [app_commands.Choice(name="stop — pause the reflection", value="stop")]
        return [c for c in suggestions if c.value.startswith(current.strip().lower())]

    # --- /checkin, /reflect, /log, /review ------------------------------------------------------

    @app_commands.command(name="checkin", description="Your weekly check-in; I answer privately.")
    @app_commands.describe(goal="Which goal this check-in is for (when you have several).")
    @app_commands.autocomplete(goal=active_goals)
    async def checkin(interaction: discord.Interaction, goal: int | None = None) -> None:
        await sink.on_command(interaction, "checkin", _words(goal))

    @app_commands.command(
        name="reflect", description="A private reflection on a failed or dropped project, in DM."
    )
    @app_commands.describe(topic="What to reflect on; 'stop' pauses the reflection in progress.")
    @app_commands.autocomplete(topic=reflect_topics)
    async def reflect(
        interaction: discord.Interaction, topic: app_commands.Range[str, 1, 1000] | None = None
    ) -> None:
        await sink.on_command(interaction, "reflect", _words(topic))

    @app_commands.command(name="log", description="Add an entry to your research notebook.")
    @app_commands.describe(text="What you did, saw or thought today.")
    async def log(interaction: discord.Interaction, text: app_commands.Range[str, 1, 4000]) -> None:
        await sink.on_command(interaction, "log", text)

    @app_commands.command(
        name="review", description="A draft review of your last two weeks, to edit and keep."
    )
    async def review(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "review", "")

    # --- /goal ------------------------------------------------------------------------------

    goal = app_commands.Group(name="goal", description="Your goals: a capability and its number.")

    @goal.command(name="list", description="Your goals and their best numbers.")
    async def goal_list(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "goal", "list")

    @goal.command(name="set", description="Set a goal: a capability you want to exist.")
    @app_commands.describe(capability="The capability (you can also type it in the form).")
    async def goal_set(
        interaction: discord.Interaction,
        capability: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        await sink.on_command(interaction, "goal", _words("set", capability))

    @goal.command(name="show", description="One goal with its recent numbers.")
    @app_commands.describe(number="The goal's number (see /goal list).")
    @app_commands.autocomplete(number=all_goals)
    async def goal_show(interaction: discord.Interaction, number: int | None = None) -> None:
        await sink.on_command(interaction, "goal", _words("show", number))

    @goal.command(name="update", description="Record a new value of a goal's number.")
    @app_commands.describe(value="The number now, like 0.42.", number="Which goal.")
    @app_commands.autocomplete(number=active_goals)
    async def goal_update(
        interaction: discord.Interaction, value: float, number: int | None = None
    ) -> None:
        await sink.on_command(interaction, "goal", _words("update", number, _number(value)))

    @goal.command(name="achieved", description="Mark a goal achieved.")
    @app_commands.describe(number="Which goal.")
    @app_commands.autocomplete(number=active_goals)
    async def goal_achieved(interaction: discord.Interaction, number: int) -> None:
        await sink.on_command(interaction, "goal", _words("achieved", number))

    @goal.command(name="abandon", description="Stop a goal on purpose; I offer a reflection.")
    @app_commands.describe(number="Which goal.")
    @app_commands.autocomplete(number=active_goals)
    async def goal_abandon(interaction: discord.Interaction, number: int) -> None:
        await sink.on_command(interaction, "goal", _words("abandon", number))

    # --- /wins ------------------------------------------------------------------------------

    wins = app_commands.Group(name="wins", description="Your best-works portfolio.")

    @wins.command(name="list", description="Your best five, and the rest of your portfolio.")
    async def wins_list(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "wins", "list")

    @wins.command(name="add", description="Add a work you are proud of.")
    @app_commands.describe(title="Its title (you can also type it in the form).")
    async def wins_add(
        interaction: discord.Interaction, title: app_commands.Range[str, 1, 300] | None = None
    ) -> None:
        await sink.on_command(interaction, "wins", _words("add", title))

    @wins.command(name="remove", description="Remove a work from your portfolio.")
    @app_commands.describe(number="Its position (see /wins list).")
    @app_commands.autocomplete(number=works)
    async def wins_remove(interaction: discord.Interaction, number: int) -> None:
        await sink.on_command(interaction, "wins", _words("remove", number))

    @wins.command(name="top", description="Move a work to the top of your best five.")
    @app_commands.describe(number="Its position (see /wins list).")
    @app_commands.autocomplete(number=works)
    async def wins_top(interaction: discord.Interaction, number: int) -> None:
        await sink.on_command(interaction, "wins", _words("top", number))

    # --- /coach -----------------------------------------------------------------------------

    coach = app_commands.Group(name="coach", description="Help, your settings, your data.")

    @coach.command(name="help", description="What I do and how to use me.")
    async def coach_help(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "help")

    @coach.command(
        name="settings", description="Your time zone, check-in day and time, mute, side budget."
    )
    @app_commands.describe(timezone="Your time zone: start typing a city, like Berlin.")
    @app_commands.autocomplete(timezone=zones)
    async def coach_settings(
        interaction: discord.Interaction, timezone: app_commands.Range[str, 1, 64] | None = None
    ) -> None:
        prefill = {"timezone": timezone} if timezone else None
        await sink.on_command(interaction, "coach", "settings", prefill)

    @coach.command(name="nudges", description="Turn my nudges on or off.")
    @app_commands.describe(state="on or off")
    async def coach_nudges(interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
        await sink.on_command(interaction, "coach", _words("nudges", state))

    @coach.command(name="ai", description="Let the team's AI model read your check-ins, or not.")
    @app_commands.describe(state="on or off")
    async def coach_ai(interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
        await sink.on_command(interaction, "coach", _words("ai", state))

    @coach.command(name="weekly", description="Turn my weekly check-in DMs on or off.")
    @app_commands.describe(state="on or off")
    async def coach_weekly(interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
        await sink.on_command(interaction, "coach", _words("weekly", state))

    @coach.command(name="mute", description="No prompts until a date (a holiday, a deadline).")
    @app_commands.describe(until="The last quiet day, as YYYY-MM-DD.")
    async def coach_mute(
        interaction: discord.Interaction, until: app_commands.Range[str, 1, 10]
    ) -> None:
        await sink.on_command(interaction, "coach", _words("mute", "until", until))

    @coach.command(name="unmute", description="Prompts back on.")
    async def coach_unmute(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "unmute")

    @coach.command(name="export", description="All your data, as JSON and Markdown files.")
    async def coach_export(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "export")

    @coach.command(name="forget", description="Delete everything I keep about you (asks first).")
    async def coach_forget(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "forget me")

    # --- /coach team (for server admins and the members they name) ------------------------------

    team = app_commands.Group(
        name="team", description="The team's channel, rhythm and digest.", parent=coach
    )

    @team.command(name="show", description="How the team is set up.")
    async def team_show(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "team show")

    @team.command(name="channel", description="Make this channel the team channel.")
    async def team_channel(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "team channel")

    @team.command(name="rhythm", description="Check-in day and time, work days, holidays.")
    async def team_rhythm(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "team rhythm")

    @team.command(name="digest", description="The weekly team digest and channel nudges.")
    async def team_digest(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "team digest")

    @team.command(name="admin", description="Let a member change the team's set-up, or not.")
    @app_commands.describe(action="add or remove", member="Who.")
    async def team_admin(
        interaction: discord.Interaction, action: Literal["add", "remove"], member: discord.User
    ) -> None:
        await sink.on_command(interaction, "coach", _words("team", "admin", action, member.id))

    return [checkin, goal, reflect, log, review, wins, coach]


def install(tree: app_commands.CommandTree[discord.Client], sink: CommandSink) -> None:
    """Add the commands to ``tree`` (syncing them with Discord is ``research-coach discord
    sync``'s job, never start-up's: command creation is rate limited per day)."""
    for command in build(sink):
        tree.add_command(command)


def new_tree(client: discord.Client) -> app_commands.CommandTree[discord.Client]:
    """A command tree whose commands are offered in servers only, for server installs."""
    return app_commands.CommandTree(
        client,
        allowed_contexts=app_commands.AppCommandContext(
            guild=True, dm_channel=False, private_channel=False
        ),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
    )
