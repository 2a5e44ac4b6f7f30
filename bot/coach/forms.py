"""The forms the coach opens, their limits, and checking what comes back."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

from bot.events import Choice, FieldKind, Form, FormField

# Limits follow the strictest platform: Slack plain-text inputs take at most 3000 characters.
LONG = 3000
SHORT = 300


def number(text: str) -> float | None:
    """Parse a metric value; ``None`` when it is not a finite number. ``number("0.5") == 0.5``."""
    try:
        value = float(text.strip())  # "1,5" is refused, not guessed: is it 1.5 or 15?
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def check(form: Form, values: Mapping[str, str]) -> dict[str, str]:
    """Field name → what is wrong with it; empty when the form can be saved."""
    errors: dict[str, str] = {}
    for f in form.fields:
        text = values.get(f.name, "").strip()
        if f.required and not text:
            errors[f.name] = f"{f.label} is needed."
        elif len(text) > f.max_length:
            errors[f.name] = (
                f"{f.label} is {len(text)} characters; the limit is {f.max_length}. "
                "Your draft is kept: shorten it and send again."
            )
        elif text and f.kind is FieldKind.NUMBER and number(text) is None:
            errors[f.name] = f"{f.label} must be a number, like 0.42 (got {text[:40]!r})."
        elif text and f.kind is FieldKind.CHOICE and text not in {c.value for c in f.choices}:
            errors[f.name] = f"{f.label}: pick one of the choices."
    return errors


def with_values(form: Form, values: Mapping[str, str]) -> Form:
    """The same form, pre-filled with ``values`` (a draft, or what was just rejected)."""
    fields = tuple(replace(f, initial=values.get(f.name, f.initial)) for f in form.fields)
    return replace(form, fields=fields)


def goal_form() -> Form:
    return Form(
        "goal",
        "Set a goal",
        (
            FormField(
                "capability",
                "Capability you want to exist",
                FieldKind.LONG,
                required=True,
                max_length=1000,
                hint="e.g. a 7B model that proves olympiad geometry problems",
            ),
            FormField(
                "metric_name",
                "Number that shows progress",
                required=True,
                max_length=200,
                hint="e.g. solve rate on IMO-AG-30",
            ),
            FormField(
                "direction",
                "Better is",
                FieldKind.CHOICE,
                required=True,
                choices=(Choice("higher", "up"), Choice("lower", "down")),
                initial="up",
            ),
            FormField("baseline", "Baseline (existing methods)", FieldKind.NUMBER, max_length=40),
            FormField("target", "Target", FieldKind.NUMBER, max_length=40),
        ),
        submit_label="Set goal",
    )


def checkin_form(goal_choices: tuple[Choice, ...], metric_name: str | None) -> Form:
    """The check-in; a goal picker only when the member has several active goals."""
    picker = (
        (FormField("goal", "Goal", FieldKind.CHOICE, required=True, choices=goal_choices),)
        if len(goal_choices) > 1
        else ()
    )
    metric_label = f"{metric_name} now" if metric_name else "Your number now"
    return Form(
        "checkin",
        "Weekly check-in",
        (
            *picker,
            FormField("did", "What did you do?", FieldKind.LONG, required=True, max_length=LONG),
            FormField(
                "moves_goal", "How does this move your goal?", FieldKind.LONG, max_length=LONG
            ),
            FormField("metric_value", metric_label, FieldKind.NUMBER, max_length=40),
            FormField(
                "next_experiment",
                "Simplest next experiment",
                FieldKind.LONG,
                max_length=LONG,
                hint="a day or less",
            ),
            FormField(
                "failed", "Anything that failed or was dropped?", FieldKind.LONG, max_length=LONG
            ),
        ),
        submit_label="Check in",
    )


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def settings_form(timezone: str, day: int, time: str, mute_until: str, budget: float) -> Form:
    return Form(
        "settings",
        "Coach settings",
        (
            FormField(
                "timezone",
                "Time zone (IANA)",
                required=True,
                max_length=64,
                initial=timezone,
                hint="e.g. Europe/Berlin",
            ),
            FormField(
                "checkin_day",
                "Check-in day",
                FieldKind.CHOICE,
                required=True,
                choices=tuple(Choice(d.capitalize(), d) for d in WEEKDAYS),
                initial=WEEKDAYS[day],
            ),
            FormField(
                "checkin_time", "Check-in time (HH:MM)", required=True, max_length=5, initial=time
            ),
            FormField(
                "mute_until",
                "Mute until (YYYY-MM-DD, empty for never)",
                max_length=10,
                initial=mute_until,
            ),
            FormField(
                "side_budget_hours",
                "Side-idea budget, hours a week",
                FieldKind.NUMBER,
                required=True,
                max_length=10,
                initial=f"{budget:g}",
            ),
        ),
    )


def work_form() -> Form:
    return Form(
        "work",
        "Add to best works",
        (
            FormField("title", "Title", required=True, max_length=SHORT),
            FormField("link", "Link", max_length=1000),
            FormField("why", "Why it belongs among your best", FieldKind.LONG, max_length=1000),
        ),
        submit_label="Add",
    )


def review_form(draft: str) -> Form:
    return Form(
        "review",
        "Your review",
        (
            FormField(
                "text", "Review", FieldKind.LONG, required=True, max_length=LONG, initial=draft
            ),
        ),
        submit_label="Keep",
    )


def learning_form(reflection_id: int, suggestion: str) -> Form:
    return Form(
        "learning",
        "One line for the team",
        (
            FormField(
                "line",
                "What you learned",
                required=True,
                max_length=SHORT,
                initial=suggestion[:SHORT],
            ),
        ),
        submit_label="Publish",
        context=str(reflection_id),
    )
