"""The nine application commands, each turned into the core's ``CommandInvoked`` with the same
words as on every platform: ``/goal update number:2 value:0.31`` is ``/goal update 2 0.31``;
and one message command, "Save to notebook" in a message's Apps menu (``MessageSaved``).

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

from bot.events import plain
from bot.prompts import Prompts, load_prompts

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

    async def on_save(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The message command: ``message`` (as the interaction resolved it) to the notebook."""
        ...

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


class Words:
    """The commands' descriptions, in prompts/messages.yaml, as Discord takes them: plain text."""

    def __init__(self, prompts: Prompts) -> None:
        self._prompts = prompts

    def say(self, key: str) -> str:
        return plain(self._prompts.say(key))


Registered = app_commands.Command[Any, ..., None] | app_commands.Group | app_commands.ContextMenu


def build(sink: CommandSink, prompts: Prompts | None = None) -> list[Registered]:
    """The commands, answered by ``sink``, described in ``prompts`` (the shipped ones by
    default: ``discord sync`` and ``doctor`` describe them as the running bot does)."""
    words = Words(prompts or load_prompts())

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
        suggestions = [
            app_commands.Choice(name=words.say("discord_reflect_topic_stop"), value="stop")
        ]
        return [c for c in suggestions if c.value.startswith(current.strip().lower())]

    # --- /checkin, /reflect, /log, /review ------------------------------------------------------

    @app_commands.command(name="checkin", description=words.say("discord_about_checkin"))
    @app_commands.describe(
        goal=words.say("discord_option_checkin_goal"),
        history=words.say("discord_option_checkin_history"),
        edit=words.say("discord_option_checkin_edit"),
    )
    @app_commands.autocomplete(goal=active_goals)
    async def checkin(
        interaction: discord.Interaction,
        goal: int | None = None,
        history: app_commands.Range[int, 1, 52] | None = None,
        edit: bool = False,
    ) -> None:
        # The core's words: "/checkin edit", "/checkin history 8", "/checkin 2".
        text = "edit" if edit else _words("history", history) if history else _words(goal)
        await sink.on_command(interaction, "checkin", text)

    @app_commands.command(name="reflect", description=words.say("discord_about_reflect"))
    @app_commands.describe(topic=words.say("discord_option_reflect_topic"))
    @app_commands.autocomplete(topic=reflect_topics)
    async def reflect(
        interaction: discord.Interaction, topic: app_commands.Range[str, 1, 1000] | None = None
    ) -> None:
        await sink.on_command(interaction, "reflect", _words(topic))

    @app_commands.command(name="log", description=words.say("discord_about_log"))
    @app_commands.describe(text=words.say("discord_option_log_text"))
    async def log(interaction: discord.Interaction, text: app_commands.Range[str, 1, 4000]) -> None:
        await sink.on_command(interaction, "log", text)

    @app_commands.command(name="review", description=words.say("discord_about_review"))
    async def review(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "review", "")

    @app_commands.command(name="ask", description=words.say("discord_about_ask"))
    @app_commands.describe(question=words.say("discord_option_ask_question"))
    async def ask(
        interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]
    ) -> None:
        await sink.on_command(interaction, "ask", question)

    # --- /goal ------------------------------------------------------------------------------

    goal = app_commands.Group(name="goal", description=words.say("discord_about_goal"))

    @goal.command(name="list", description=words.say("discord_about_goal_list"))
    async def goal_list(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "goal", "list")

    @goal.command(name="set", description=words.say("discord_about_goal_set"))
    @app_commands.describe(capability=words.say("discord_option_goal_set_capability"))
    async def goal_set(
        interaction: discord.Interaction,
        capability: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        await sink.on_command(interaction, "goal", _words("set", capability))

    @goal.command(name="show", description=words.say("discord_about_goal_show"))
    @app_commands.describe(number=words.say("discord_option_goal_show_number"))
    @app_commands.autocomplete(number=all_goals)
    async def goal_show(interaction: discord.Interaction, number: int | None = None) -> None:
        await sink.on_command(interaction, "goal", _words("show", number))

    @goal.command(name="update", description=words.say("discord_about_goal_update"))
    @app_commands.describe(
        value=words.say("discord_option_goal_update_value"),
        number=words.say("discord_option_which_goal"),
    )
    @app_commands.autocomplete(number=active_goals)
    async def goal_update(
        interaction: discord.Interaction, value: float, number: int | None = None
    ) -> None:
        await sink.on_command(interaction, "goal", _words("update", number, _number(value)))

    @goal.command(name="achieved", description=words.say("discord_about_goal_achieved"))
    @app_commands.describe(number=words.say("discord_option_which_goal"))
    @app_commands.autocomplete(number=active_goals)
    async def goal_achieved(interaction: discord.Interaction, number: int) -> None:
        await sink.on_command(interaction, "goal", _words("achieved", number))

    @goal.command(name="abandon", description=words.say("discord_about_goal_abandon"))
    @app_commands.describe(number=words.say("discord_option_which_goal"))
    @app_commands.autocomplete(number=active_goals)
    async def goal_abandon(interaction: discord.Interaction, number: int) -> None:
        await sink.on_command(interaction, "goal", _words("abandon", number))

    @goal.command(name="premortem", description=words.say("discord_about_goal_premortem"))
    @app_commands.describe(number=words.say("discord_option_which_goal"))
    @app_commands.autocomplete(number=all_goals)
    async def goal_premortem(interaction: discord.Interaction, number: int) -> None:
        await sink.on_command(interaction, "goal", _words("premortem", number))

    @goal.command(name="connect", description=words.say("discord_about_goal_connect"))
    @app_commands.describe(
        number=words.say("discord_option_which_goal"),
        source=words.say("discord_option_connect_kind"),
    )
    @app_commands.autocomplete(number=active_goals)
    async def goal_connect(
        interaction: discord.Interaction,
        number: int | None = None,
        source: Literal["mlflow", "wandb", "script"] | None = None,
    ) -> None:
        await sink.on_command(interaction, "goal", _words("connect", number, source))

    @goal.command(name="disconnect", description=words.say("discord_about_goal_disconnect"))
    @app_commands.describe(number=words.say("discord_option_which_goal"))
    @app_commands.autocomplete(number=all_goals)
    async def goal_disconnect(interaction: discord.Interaction, number: int | None = None) -> None:
        await sink.on_command(interaction, "goal", _words("disconnect", number))

    # --- /wins ------------------------------------------------------------------------------

    wins = app_commands.Group(name="wins", description=words.say("discord_about_wins"))

    @wins.command(name="list", description=words.say("discord_about_wins_list"))
    async def wins_list(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "wins", "list")

    @wins.command(name="add", description=words.say("discord_about_wins_add"))
    @app_commands.describe(title=words.say("discord_option_wins_add_title"))
    async def wins_add(
        interaction: discord.Interaction, title: app_commands.Range[str, 1, 300] | None = None
    ) -> None:
        await sink.on_command(interaction, "wins", _words("add", title))

    @wins.command(name="remove", description=words.say("discord_about_wins_remove"))
    @app_commands.describe(number=words.say("discord_option_work_position"))
    @app_commands.autocomplete(number=works)
    async def wins_remove(interaction: discord.Interaction, number: int) -> None:
        await sink.on_command(interaction, "wins", _words("remove", number))

    @wins.command(name="top", description=words.say("discord_about_wins_top"))
    @app_commands.describe(number=words.say("discord_option_work_position"))
    @app_commands.autocomplete(number=works)
    async def wins_top(interaction: discord.Interaction, number: int) -> None:
        await sink.on_command(interaction, "wins", _words("top", number))

    # --- /predict ---------------------------------------------------------------------------

    predict = app_commands.Group(name="predict", description=words.say("discord_about_predict"))

    @predict.command(name="new", description=words.say("discord_about_predict_new"))
    @app_commands.describe(text=words.say("discord_option_predict_text"))
    async def predict_new(
        interaction: discord.Interaction, text: app_commands.Range[str, 1, 1000] | None = None
    ) -> None:
        await sink.on_command(interaction, "predict", _words(text))

    @predict.command(name="list", description=words.say("discord_about_predict_list"))
    async def predict_list(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "predict", "list")

    @predict.command(name="resolve", description=words.say("discord_about_predict_resolve"))
    @app_commands.describe(
        number=words.say("discord_option_predict_number"),
        happened=words.say("discord_option_predict_happened"),
    )
    async def predict_resolve(
        interaction: discord.Interaction, number: int, happened: Literal["yes", "no"]
    ) -> None:
        await sink.on_command(interaction, "predict", _words("resolve", number, happened))

    # --- /coach -----------------------------------------------------------------------------

    coach = app_commands.Group(name="coach", description=words.say("discord_about_coach"))

    @coach.command(name="help", description=words.say("discord_about_coach_help"))
    async def coach_help(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "help")

    @coach.command(name="settings", description=words.say("discord_about_coach_settings"))
    @app_commands.describe(timezone=words.say("discord_option_coach_settings_timezone"))
    @app_commands.autocomplete(timezone=zones)
    async def coach_settings(
        interaction: discord.Interaction, timezone: app_commands.Range[str, 1, 64] | None = None
    ) -> None:
        prefill = {"timezone": timezone} if timezone else None
        await sink.on_command(interaction, "coach", "settings", prefill)

    @coach.command(name="nudges", description=words.say("discord_about_coach_nudges"))
    @app_commands.describe(state=words.say("discord_option_on_or_off"))
    async def coach_nudges(interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
        await sink.on_command(interaction, "coach", _words("nudges", state))

    @coach.command(name="ai", description=words.say("discord_about_coach_ai"))
    @app_commands.describe(state=words.say("discord_option_on_or_off"))
    async def coach_ai(interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
        await sink.on_command(interaction, "coach", _words("ai", state))

    @coach.command(name="weekly", description=words.say("discord_about_coach_weekly"))
    @app_commands.describe(state=words.say("discord_option_on_or_off"))
    async def coach_weekly(interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
        await sink.on_command(interaction, "coach", _words("weekly", state))

    @coach.command(name="quarterly", description=words.say("discord_about_coach_quarterly"))
    @app_commands.describe(state=words.say("discord_option_on_or_off"))
    async def coach_quarterly(
        interaction: discord.Interaction, state: Literal["on", "off"]
    ) -> None:
        await sink.on_command(interaction, "coach", _words("quarterly", state))

    @coach.command(name="mute", description=words.say("discord_about_coach_mute"))
    @app_commands.describe(until=words.say("discord_option_coach_mute_until"))
    async def coach_mute(
        interaction: discord.Interaction, until: app_commands.Range[str, 1, 10]
    ) -> None:
        await sink.on_command(interaction, "coach", _words("mute", "until", until))

    @coach.command(name="unmute", description=words.say("discord_about_coach_unmute"))
    async def coach_unmute(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "unmute")

    @coach.command(name="export", description=words.say("discord_about_coach_export"))
    async def coach_export(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "export")

    @coach.command(name="calibration", description=words.say("discord_about_coach_calibration"))
    async def coach_calibration(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "calibration")

    @coach.command(name="forget", description=words.say("discord_about_coach_forget"))
    async def coach_forget(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "forget me")

    # --- /coach team (for server admins and the members they name) ------------------------------

    team = app_commands.Group(
        name="team", description=words.say("discord_about_coach_team"), parent=coach
    )

    @team.command(name="show", description=words.say("discord_about_coach_team_show"))
    async def team_show(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "team show")

    @team.command(name="channel", description=words.say("discord_about_coach_team_channel"))
    async def team_channel(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "team channel")

    @team.command(name="rhythm", description=words.say("discord_about_coach_team_rhythm"))
    async def team_rhythm(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "team rhythm")

    @team.command(name="digest", description=words.say("discord_about_coach_team_digest"))
    async def team_digest(interaction: discord.Interaction) -> None:
        await sink.on_command(interaction, "coach", "team digest")

    @team.command(name="admin", description=words.say("discord_about_coach_team_admin"))
    @app_commands.describe(
        action=words.say("discord_option_coach_team_admin_action"),
        member=words.say("discord_option_coach_team_admin_member"),
    )
    async def team_admin(
        interaction: discord.Interaction, action: Literal["add", "remove"], member: discord.User
    ) -> None:
        await sink.on_command(interaction, "coach", _words("team", "admin", action, member.id))

    # --- Save to notebook (a message command: right-click a message, Apps) ---------------------

    async def save_message(interaction: discord.Interaction, message: discord.Message) -> None:
        await sink.on_save(interaction, message)

    save = app_commands.ContextMenu(name=words.say("discord_save_menu"), callback=save_message)

    return [checkin, goal, reflect, log, review, wins, predict, ask, coach, save]


def install(
    tree: app_commands.CommandTree[discord.Client],
    sink: CommandSink,
    prompts: Prompts | None = None,
) -> None:
    """Add the commands to ``tree`` (syncing them with Discord is ``research-coach discord
    sync``'s job, never start-up's: command creation is rate limited per day)."""
    for command in build(sink, prompts):
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
