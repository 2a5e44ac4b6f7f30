"""The forms the coach opens, their limits, and checking what comes back.

Each answer is checked on its own (``field_error``), so a step-by-step form (the console) can
refuse a bad answer the moment it is typed; a form submitted whole (a Slack or Discord modal)
gets every field's error at once (``check``). Both read the same rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial
from ipaddress import ip_address
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.events import Choice, FieldKind, Form, FormField, plain
from bot.numbers import number as number
from bot.numbers import shown as shown
from bot.prompts import Prompts, load_prompts
from bot.trackers.wire import address_allowed

# Limits follow the strictest platform: Slack plain-text inputs take at most 3000 characters.
LONG = 3000
SHORT = 300
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
QUOTED = 40  # characters of a refused answer quoted back in its error
# A number kept as typed: a plain decimal (``0.50``, ``-3``, ``152375.5``), no longer than a
# number field takes; the columns that keep it hold as much.
PLAIN = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?", re.ASCII)
TYPED = 40
# The forms a command opens again with the draft each keeps (its words: ``reopen_<form>``).
REOPENS = frozenset({"goal", "checkin", "work", "predict"})
# The commands a too-long text is kept for, each under its own draft ("/log"); any other
# name shares one ("/other"), so a member holds at most one draft per kind, and a bounded few.
COMMANDS = frozenset({"goal", "checkin", "reflect", "log", "review", "wins", "coach"})


def words(key: str, prompts: Prompts | None = None, **values: str | int) -> str:
    """The message ``key`` as one plain string (a form's title, a field's label or hint), from
    ``prompts`` or else the shipped ones: a form is built the same wherever it is checked."""
    return plain((prompts or load_prompts()).say(key, **values))


def reopens(form_id: str, prompts: Prompts | None = None) -> str | None:
    """The command that opens form ``form_id`` again with its draft, if one does."""
    return words(f"reopen_{form_id}", prompts) if form_id in REOPENS else None


def command_draft(name: str) -> str:
    """The draft a too-long ``/name`` text is kept in: ``command_draft("log") == "/log"``."""
    return f"/{name}" if name in COMMANDS else "/other"


def typed(text: str) -> str:
    """A number as the member typed it, for showing back: ``typed(" 0.50 ") == "0.50"``; a
    percentage says what it was read as: ``typed("90%") == "90%, read as 0.9"``."""
    text = text.strip()
    value = number(text)
    if value is None or not text.endswith("%"):
        return text
    return words("number_read_as", text=text, value=shown(value))


def kept(text: str) -> str | None:
    """What is kept of a typed number to show it later: a plain decimal as the member typed it
    (``kept(" 0.50 ") == "0.50"``); ``None`` for any other way of writing it (``90%``, ``1e-5``,
    ``.5``, ``007``), which is shown from its value. A percentage is shown as the fraction it was
    read as, so that a goal's numbers side by side are on one scale."""
    text = text.strip()
    return text if PLAIN.fullmatch(text) and len(text) <= TYPED else None


@dataclass(frozen=True)
class Checking:
    """What checking an answer may need besides the answers: the words, and today's date.

    ``now`` is left out where no date is checked against today; ``timezone`` is the member's,
    used when the form itself names none.
    """

    prompts: Prompts
    now: datetime | None = None
    timezone: str = "UTC"

    def say(self, key: str, **values: str | int) -> str:
        return plain(self.prompts.say(key, **values))

    def today(self, values: Mapping[str, str]) -> date | None:
        if self.now is None:
            return None
        zone = known_zone(values.get("timezone", "")) or known_zone(self.timezone)
        return self.now.astimezone(zone or ZoneInfo("UTC")).date()


def known_zone(name: str) -> ZoneInfo | None:
    """The IANA time zone ``name``, or ``None``: ``known_zone("Mars/Olympus") is None``."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _quoted(text: str) -> str:
    return repr(text[:QUOTED])


def _timezone(text: str, values: Mapping[str, str], checking: Checking) -> str | None:
    if known_zone(text) is None:
        return checking.say("form_timezone", text=_quoted(text))
    return None


def _time(text: str, values: Mapping[str, str], checking: Checking) -> str | None:
    return None if TIME.match(text) else checking.say("form_time", text=_quoted(text))


def _future_date(text: str, values: Mapping[str, str], checking: Checking) -> str | None:
    return date_error(text, checking.today(values), checking.prompts)


def _hours_a_week(text: str, values: Mapping[str, str], checking: Checking) -> str | None:
    if text.endswith("%"):  # a share of what? Hours are asked for.
        return checking.say("form_hours_not_percent")
    hours = number(text)
    if hours is not None and not 0 <= hours <= 168:
        return checking.say("form_hours_a_week")
    return None


def _link(text: str, values: Mapping[str, str], checking: Checking) -> str | None:
    return None if is_link(text) else checking.say("form_link", text=_quoted(text))


def _tracker_url(text: str, values: Mapping[str, str], checking: Checking) -> str | None:
    try:
        parts = urlsplit(text)
        web = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[::1" and the like
        web = False
    if any(c.isspace() for c in text) or not web:
        return checking.say("form_tracker_url", text=_quoted(text))
    if "@" in parts.netloc:  # a login in the address would be kept, shown and logged with it
        return checking.say("form_tracker_url_login")  # the text, password and all, not quoted
    return None


def tracker_address_refused(url: str, policy: str) -> bool:
    """Whether a tracker's address names a host ``policy`` (COACH_TRACKER_ADDRESSES) refuses,
    as far as it can be told without looking the name up (an address, or "localhost"); a name
    is looked up, and every address it has checked, at each read (``bot.trackers``)."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return False  # not an address: its own check says so
    if host == "localhost" or host.endswith(".localhost"):
        host = "127.0.0.1"
    try:
        return not address_allowed(ip_address(host.partition("%")[0]), policy)
    except ValueError:
        return False  # a name


def _json_object(text: str, values: Mapping[str, str], checking: Checking) -> str | None:
    try:
        found = json.loads(text)
    except ValueError:
        return checking.say("form_json_object")
    return None if isinstance(found, dict) else checking.say("form_json_object")


def _entity_project(text: str, values: Mapping[str, str], checking: Checking) -> str | None:
    entity, slash, project = text.partition("/")
    if not slash or not entity or not project or "/" in project or " " in text:
        return checking.say("form_entity_project", text=_quoted(text))
    return None


Rule = Callable[[str, Mapping[str, str], Checking], str | None]
# Rules by field name, beyond each kind's own (a number, a choice): a name means the same thing
# in every form that uses it (the team's rhythm has a time zone and a time too).
RULES: dict[str, Rule] = {
    "timezone": _timezone,
    "checkin_time": _time,
    "digest_time": _time,
    "mute_until": _future_date,
    "side_budget_hours": _hours_a_week,
    "link": _link,
    "tracking_url": _tracker_url,  # MLflow's tracking server
    "api_url": _tracker_url,  # a self-hosted W&B
    "filters": _json_object,  # W&B run filters
    "project": _entity_project,  # W&B entity/project
}


def is_link(text: str) -> bool:
    """A web address a member can click: ``is_link("https://arxiv.org/abs/2401.01234")``, not
    ``is_link("my thesis, chapter 3")``."""
    if any(c.isspace() for c in text):
        return False
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and "." in parts.netloc.strip(".")


def date_error(text: str, today: date | None, prompts: Prompts | None = None) -> str | None:
    """What is wrong with a day to wait until (``YYYY-MM-DD``, today or later), or ``None``."""
    say = Checking(prompts or load_prompts()).say
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return say("form_date", text=_quoted(text))
    if today is not None and day < today:
        return say("form_date_past", day=day.isoformat(), today=today.isoformat())
    return None


def field_error(
    form: Form,
    name: str,
    values: Mapping[str, str],
    checking: Checking | None = None,
    *,
    whole: bool = False,
) -> str | None:
    """What is wrong with the answer to field ``name`` of ``form`` (``values`` are the answers
    so far), or ``None``. ``whole``: the form was sent whole, and a text over its limit was kept
    as a draft, which the error then says how to get back.

    >>> field_error(goal_form(), "baseline", {"baseline": "about half"})
    '"Baseline (existing methods)" must be a number, like 0.42 or 42% (you wrote \\'about half\\').'
    """
    checking = checking or Checking(load_prompts())
    spec = next(f for f in form.fields if f.name == name)
    text = values.get(name, "").strip()
    if not text:
        return checking.say("form_needed", label=spec.label) if spec.required else None
    if len(text) > spec.max_length:
        command = reopens(form.form_id, checking.prompts) if whole else None
        return checking.say(
            "form_too_long_kept" if command else "form_too_long",
            label=spec.label,
            length=len(text),
            limit=spec.max_length,
            command=command or "",
        )
    if spec.kind is FieldKind.NUMBER and number(text) is None:
        return checking.say("form_not_a_number", label=spec.label, text=_quoted(text))
    if spec.kind is FieldKind.CHOICE and text not in {c.value for c in spec.choices}:
        return checking.say("form_pick", label=spec.label)
    rule = RULES.get(name)
    problem = rule(text, values, checking) if rule is not None else None
    # Named, so that a list of every error (Discord, the console) says which field is which.
    return (
        None if problem is None else checking.say("form_field", label=spec.label, problem=problem)
    )


def check(
    form: Form, values: Mapping[str, str], checking: Checking | None = None
) -> dict[str, str]:
    """Field name → what is wrong with it, every field at once; empty when the form can be
    saved. A text over its limit is reported as kept in a draft (see ``field_error``)."""
    checking = checking or Checking(load_prompts())
    errors = {f.name: field_error(form, f.name, values, checking, whole=True) for f in form.fields}
    return {name: error for name, error in errors.items() if error is not None}


def with_values(form: Form, values: Mapping[str, str]) -> Form:
    """The same form, pre-filled with ``values`` (a draft, or what was just rejected)."""
    fields = tuple(replace(f, initial=values.get(f.name, f.initial)) for f in form.fields)
    return replace(form, fields=fields)


def goal_form(prompts: Prompts | None = None) -> Form:
    w = partial(words, prompts=prompts)
    return Form(
        "goal",
        w("goal_form_title"),
        (
            FormField(
                "capability",
                w("goal_form_capability"),
                FieldKind.LONG,
                required=True,
                max_length=1000,
                hint=w("goal_form_capability_hint"),
            ),
            FormField(
                "metric_name",
                w("goal_form_metric"),
                required=True,
                max_length=200,
                hint=w("goal_form_metric_hint"),
            ),
            FormField(
                "direction",
                w("goal_form_direction"),
                FieldKind.CHOICE,
                required=True,
                choices=(Choice(w("goal_form_higher"), "up"), Choice(w("goal_form_lower"), "down")),
                initial="up",
            ),
            FormField("baseline", w("goal_form_baseline"), FieldKind.NUMBER, max_length=40),
            FormField("target", w("goal_form_target"), FieldKind.NUMBER, max_length=40),
        ),
        submit_label=w("goal_form_submit"),
    )


def checkin_form(
    metric_name: str | None,
    goal_choices: tuple[Choice, ...] = (),
    prompts: Prompts | None = None,
) -> Form:
    """The check-in on one goal (or on none yet): the number step names the goal's metric.

    The coach asks which goal first, so a picker (``goal_choices``) only comes back to a
    member who sent a check-in naming none of their several goals.
    """
    w = partial(words, prompts=prompts)
    metric_label = (
        w("checkin_form_metric", metric=metric_name)
        if metric_name
        else w("checkin_form_your_number")
    )
    picker = (
        (
            FormField(
                "goal",
                w("checkin_form_goal"),
                FieldKind.CHOICE,
                required=True,
                choices=goal_choices,
            ),
        )
        if goal_choices
        else ()
    )
    return Form(
        "checkin",
        w("checkin_form_title"),
        (
            *picker,
            FormField("did", w("checkin_form_did"), FieldKind.LONG, required=True, max_length=LONG),
            FormField("moves_goal", w("checkin_form_moves_goal"), FieldKind.LONG, max_length=LONG),
            FormField(
                "metric_value",
                metric_label,
                FieldKind.NUMBER,
                max_length=40,
                hint=w("checkin_form_value_hint"),
            ),
            FormField(
                "next_experiment",
                w("checkin_form_next"),
                FieldKind.LONG,
                max_length=LONG,
                hint=w("checkin_form_next_hint"),
            ),
            FormField("failed", w("checkin_form_failed"), FieldKind.LONG, max_length=LONG),
        ),
        submit_label=w("checkin_form_submit"),
    )


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def settings_form(
    timezone: str,
    day: int,
    time: str,
    mute_until: str,
    budget: float,
    prompts: Prompts | None = None,
) -> Form:
    w = partial(words, prompts=prompts)
    return Form(
        "settings",
        w("settings_form_title"),
        (
            FormField(
                "timezone",
                w("settings_form_timezone"),
                required=True,
                max_length=64,
                initial=timezone,
                hint=w("settings_form_timezone_hint"),
            ),
            FormField(
                "checkin_day",
                w("settings_form_day"),
                FieldKind.CHOICE,
                required=True,
                choices=tuple(Choice(d.capitalize(), d) for d in WEEKDAYS),
                initial=WEEKDAYS[day],
            ),
            FormField(
                "checkin_time", w("settings_form_time"), required=True, max_length=5, initial=time
            ),
            FormField(
                "mute_until",
                w("settings_form_mute"),
                max_length=10,
                initial=mute_until,
            ),
            FormField(
                "side_budget_hours",
                w("settings_form_budget"),
                FieldKind.NUMBER,
                required=True,
                max_length=10,
                initial=shown(budget),
            ),
        ),
    )


def work_form(prompts: Prompts | None = None) -> Form:
    w = partial(words, prompts=prompts)
    return Form(
        "work",
        w("work_form_title"),
        (
            FormField("title", w("work_form_name"), required=True, max_length=SHORT),
            FormField("link", w("work_form_link"), max_length=1000, hint=w("work_form_link_hint")),
            FormField("why", w("work_form_why"), FieldKind.LONG, max_length=1000),
        ),
        submit_label=w("work_form_submit"),
    )


def review_form(draft: str, prompts: Prompts | None = None) -> Form:
    w = partial(words, prompts=prompts)
    return Form(
        "review",
        w("review_form_title"),
        (
            FormField(
                "text",
                w("review_form_text"),
                FieldKind.LONG,
                required=True,
                max_length=LONG,
                initial=draft,
            ),
        ),
        submit_label=w("review_form_submit"),
    )


def learning_form(reflection_id: int, suggestion: str, prompts: Prompts | None = None) -> Form:
    w = partial(words, prompts=prompts)
    return Form(
        "learning",
        w("learning_form_title"),
        (
            FormField(
                "line",
                w("learning_form_line"),
                required=True,
                max_length=SHORT,
                initial=suggestion[:SHORT],
            ),
        ),
        submit_label=w("learning_form_submit"),
        context=str(reflection_id),
    )


def one_question(
    form_id: str, name: str, words: tuple[str, str, str, str], initial: str, context: str
) -> Form:
    """A form of one long, required answer ``name``; ``words``: its title, the field's label
    and hint, the submit button (the pre-mortem, next quarter's bet)."""
    title, label, hint, submit = words
    field = FormField(
        name, label, FieldKind.LONG, required=True, max_length=LONG, hint=hint, initial=initial
    )
    return Form(form_id, title, (field,), submit_label=submit, context=context)
