"""``/coach``: help, the member's own settings, export, and forgetting everything."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from bot.coach import export, forms, predictions, quarterly, team
from bot.coach.submission import checking, rejection
from bot.coach.turn import Turn
from bot.events import (
    Action,
    Button,
    Content,
    FileReady,
    Form,
    Intent,
    OpenForm,
    Reply,
)
from bot.store.views import CheckInView, MemberView

TIME = forms.TIME


async def handle(turn: Turn, text: str) -> list[Intent]:
    words = text.strip().lower().split()
    if not words or words == ["help"]:
        return [Reply(coach_help(turn))]
    if words[0] == "team":
        return await team.handle(turn, text.strip()[4:].strip())
    if words[0] == "weekly" and len(words) == 2 and words[1] in ("on", "off"):
        await turn.change_member(replace(turn.member, weekly_dm=words[1] == "on"), reschedule=True)
        return [Reply(turn.say("weekly_on" if turn.member.weekly_dm else "weekly_off"))]
    if words[0] == "quarterly" and len(words) == 2 and words[1] in ("on", "off"):
        return await quarterly.switch(turn, words[1] == "on")
    if words[0] in ("mute", "vacation") and len(words) == 3 and words[1] == "until":
        return await _mute(turn, words[2])
    if words == ["unmute"]:
        await turn.change_member(replace(turn.member, mute_until=None), reschedule=True)
        return [Reply(turn.say("unmuted"))]
    if words == ["settings"]:
        return [OpenForm(settings_form(turn))]
    if words[0] == "nudges" and len(words) == 2 and words[1] in ("on", "off"):
        await turn.change_member(replace(turn.member, nudges_enabled=words[1] == "on"))
        return [Reply(turn.say("nudges_on" if turn.member.nudges_enabled else "nudges_off"))]
    if words[0] in ("ai", "llm") and len(words) == 2 and words[1] in ("on", "off"):
        return [Reply(await _ai(turn, words[1] == "on"))]
    if words == ["export"]:
        return await export_all(turn)
    if words == ["calibration"]:
        return await predictions.show_calibration(turn)
    if words == ["forget", "me"]:
        buttons = (
            Button(turn.words("button_forget"), Action.FORGET_CONFIRM),
            Button(turn.words("button_keep_data"), Action.FORGET_CANCEL),
        )
        return [Reply(turn.say("forget_confirm"), buttons)]
    return [Reply(turn.say("usage", usage=turn.words("usage_coach")))]


def coach_help(turn: Turn) -> Content:
    """What the coach does, and, when an LLM is configured, what of the member's goes to it."""
    if not turn.llm:
        return turn.say("help")
    return (*turn.say("help"), *turn.say("help_llm" if turn.member.llm_allowed else "help_llm_off"))


async def _ai(turn: Turn, allowed: bool) -> Content:
    m = turn.member
    # What they wrote while it was off stays off.
    since = turn.now if allowed and not m.llm_allowed else m.llm_since
    if not turn.llm:
        await turn.change_member(replace(m, llm_since=since, llm_allowed=allowed))
        return turn.say("ai_none", state="on" if allowed else "off")
    told = m.llm_told_at or turn.now  # they know now
    await turn.change_member(replace(m, llm_since=since, llm_allowed=allowed, llm_told_at=told))
    return turn.say("ai_on" if allowed else "ai_off")


def shared_with_llm(member: MemberView, checkins: Sequence[CheckInView]) -> list[CheckInView]:
    """The check-ins of ``member`` the LLM may see: none written while they had it off."""
    since = member.llm_since
    return [c for c in checkins if since is None or c.created_at >= since]


async def told_of_llm(turn: Turn, intents: list[Intent]) -> list[Intent]:
    """The answer to a saved check-in, with, the first time one went to an LLM, a word that it
    did and how to stop it (``intents`` unchanged otherwise)."""
    if not turn.llm or not turn.member.llm_allowed or turn.member.llm_told_at is not None:
        return intents
    for index, intent in enumerate(intents):
        if isinstance(intent, Reply) and intent.buttons:  # the check-in's answer
            await turn.change_member(replace(turn.member, llm_told_at=turn.now))
            told = Reply((*intent.body, *turn.say("llm_told")), intent.buttons)
            return [*intents[:index], told, *intents[index + 1 :]]
    return intents


async def _mute(turn: Turn, until: str) -> list[Intent]:
    try:
        day = date.fromisoformat(until)
    except ValueError:
        return [Reply(turn.say("usage", usage=turn.words("usage_mute")))]
    past = forms.date_error(until, checking(turn).today({}), turn.prompts)
    if past is not None:
        return [Reply((past,))]
    await turn.change_member(replace(turn.member, mute_until=day), reschedule=True)
    return [Reply(turn.say("muted", until=day.isoformat()))]


def settings_form(turn: Turn) -> Form:
    m = turn.member
    today = checking(turn).today({})
    # A mute that ended is no setting any more: offered again, it would be refused as past.
    ended = m.mute_until is None or (today is not None and m.mute_until < today)
    mute = "" if ended or m.mute_until is None else m.mute_until.isoformat()
    return forms.settings_form(
        m.timezone, m.checkin_day, m.checkin_time, mute, m.side_budget_hours, turn.prompts
    )


async def submit_settings(turn: Turn, values: Mapping[str, str]) -> list[Intent]:
    rejected = await rejection(turn, settings_form(turn), values)
    if rejected is not None:
        return [rejected]
    hour, minute = TIME.match(values["checkin_time"].strip()).groups()  # type: ignore[union-attr]
    mute = values.get("mute_until", "").strip()
    changed = replace(
        turn.member,
        timezone=values["timezone"].strip(),
        checkin_day=forms.WEEKDAYS.index(values["checkin_day"].strip()),
        checkin_time=f"{int(hour):02d}:{minute}",
        mute_until=date.fromisoformat(mute) if mute else None,
        side_budget_hours=forms.number(values["side_budget_hours"]) or 0.0,
        own_schedule=True,  # from now on the member's day and time, not the team's
    )
    await turn.change_member(changed, reschedule=True)
    m = turn.member
    return [
        Reply(
            turn.say(
                "settings_saved",
                timezone=m.timezone,
                day=forms.WEEKDAYS[m.checkin_day].capitalize(),
                time=m.checkin_time,
            )
        )
    ]


async def export_all(turn: Turn) -> list[Intent]:
    data = await export.collect(turn.scope, turn.member)

    def name(suffix: str) -> str:
        return export.filename(turn.member.user_id, turn.now, suffix)

    return [
        FileReady(name("json"), export.to_json(data), turn.words("export_json_caption")),
        FileReady(name("md"), export.to_markdown(data), turn.words("export_md_caption")),
    ]


async def forget(turn: Turn) -> list[Intent]:
    await turn.scope.forget_member(turn.member)
    return [Reply(turn.say("forgotten"))]
