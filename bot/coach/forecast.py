"""What a member states before an experiment, read from the /predict form or from one line:
a number expected in a range at a stated confidence, or a yes/no at a probability.

Both ways in give the same field values (``goal``, ``experiment``, ``kind``, ``prediction``,
``interval``, ``sure``), checked by the same rules (``problems``), so a line and a form are
refused for the same reasons, in the same words.

>>> from_line("0.45 0.40-0.50 80% twenty more towels")["interval"]
'0.40-0.50'
>>> from_line("yes 70% the new sampler beats the baseline")["sure"]
'70%'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from bot.coach.forms import LONG, Checking, kept, number, words
from bot.events import Choice, FieldKind, Form, FormField
from bot.numbers import shown
from bot.prompts import Prompts
from bot.store.records.predictions import NUMBER, YES_NO
from bot.store.views import GoalView

FORM_ID = "predict"
QUOTED = 40  # characters of a refused answer quoted back
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:\s*%)?"
# A range as people write it: 0.40-0.50, 0.40 - 0.50 (any dash), 0.40 to 0.50,
# between 0.40 and 0.50, [0.40, 0.50], 40%-50%.
_RANGE = (
    rf"(?:between\s+|from\s+|in\s+)?[\[(]?\s*(?P<low>{_NUM})\s*"
    rf"(?:-|–|—|\.\.|,|\bto\b|\band\b)\s*(?P<high>{_NUM})\s*[\])]?"
)
RANGE = re.compile(rf"\s*{_RANGE}\s*", re.IGNORECASE)
_GOAL = re.compile(r"\s*(?:goal\s*|g|#)(?P<goal>\d+)\s*[:,]?\s+", re.IGNORECASE)
_YES_NO = re.compile(r"\s*(?P<answer>yes|no|y|n)\b[\s,:;]*", re.IGNORECASE)
_POINT = re.compile(rf"\s*(?P<point>{_NUM})(?=[\s,;:]|$)[\s,;:]*", re.IGNORECASE)
_SPAN = re.compile(rf"[\s,;]*{_RANGE}(?=[\s,;:]|$)[\s,;:]*", re.IGNORECASE)
_SURE = re.compile(
    rf"(?:at\s+)?(?P<sure>{_NUM})(?:\s*(?:sure|confident|confidence|likely|chance))?"
    r"(?=[\s,;:.]|$)[\s,;:.]*",
    re.IGNORECASE,
)
YES = frozenset({"yes", "y"})
NO = frozenset({"no", "n"})


@dataclass(frozen=True)
class Stated:
    """A prediction as the member stated it, checked: ready to be kept."""

    kind: str  # "number" or "yesno"
    experiment: str
    confidence: float
    point: float | None = None
    point_text: str | None = None
    low: float | None = None
    low_text: str | None = None
    high: float | None = None
    high_text: str | None = None
    answer: bool | None = None


def prediction_form(
    active: list[GoalView],
    goal: GoalView | None,
    prompts: Prompts,
    experiment: str = "",
) -> Form:
    """The /predict form: the goal first when it names none of several (a choice a Discord
    modal asks before the rest), what the experiment is, a number or a yes/no, the prediction,
    the range (numbers only) and how sure. ``experiment`` pre-fills its field."""
    w = partial(words, prompts=prompts)
    picker: tuple[FormField, ...] = ()
    if goal is None and len(active) > 1:
        choices = tuple(Choice(_short(g.capability), str(g.ref)) for g in active)
        picker = (FormField("goal", w("predict_form_goal"), FieldKind.CHOICE, choices=choices),)
    kinds = (
        Choice(w("predict_form_kind_number"), NUMBER),
        Choice(w("predict_form_kind_yesno"), YES_NO),
    )
    return Form(
        FORM_ID,
        w("predict_form_title"),
        (
            *picker,
            FormField(
                "experiment",
                w("predict_form_experiment"),
                FieldKind.LONG,
                max_length=LONG,
                hint=w("predict_form_experiment_hint"),
                initial=experiment,
            ),
            FormField(
                "kind",
                w("predict_form_kind"),
                FieldKind.CHOICE,
                required=True,
                choices=kinds,
                initial=NUMBER,
            ),
            FormField(
                "prediction",
                w("predict_form_prediction"),
                required=True,
                max_length=QUOTED,
                hint=w("predict_form_prediction_hint"),
            ),
            FormField(
                "interval",
                w("predict_form_interval"),
                max_length=80,
                hint=w("predict_form_interval_hint"),
            ),
            FormField(
                "sure",
                w("predict_form_sure"),
                FieldKind.NUMBER,
                required=True,
                max_length=QUOTED,
                hint=w("predict_form_sure_hint"),
            ),
        ),
        submit_label=w("predict_form_submit"),
        context=str(goal.ref) if goal else "",
    )


def _short(capability: str, limit: int = 60) -> str:
    return capability if len(capability) <= limit else capability[: limit - 1] + "…"


def from_line(text: str) -> dict[str, str]:
    """The form's values read from one line, leniently: an optional ``goal N``, then ``yes`` or
    ``no`` with a probability, or a number with its range and confidence; the rest is the
    experiment. What cannot be read stays in the experiment, so nothing typed is lost.

    >>> from_line("goal 2: 0.45 between 0.40 and 0.50, 80% sure")["goal"]
    '2'
    """
    values = {"goal": "", "experiment": "", "kind": NUMBER, "prediction": "", "interval": ""}
    values["sure"] = ""
    rest = text.strip()
    if found := _GOAL.match(rest):
        values["goal"], rest = found["goal"], rest[found.end() :]
    if found := _YES_NO.match(rest):
        values["kind"] = YES_NO
        values["prediction"] = "yes" if found["answer"].lower() in YES else "no"
        rest = rest[found.end() :]
    elif found := _POINT.match(rest):
        values["prediction"], rest = _squeezed(found["point"]), rest[found.end() :]
        if span := _SPAN.match(rest):
            values["interval"] = f"{_squeezed(span['low'])}-{_squeezed(span['high'])}"
            rest = rest[span.end() :]
    else:
        values["experiment"] = rest
        return values
    if sure := _SURE.match(rest):
        values["sure"], rest = _squeezed(sure["sure"]), rest[sure.end() :]
    values["experiment"] = rest.strip().lstrip(":;,-–— ").strip()
    return values


def _squeezed(text: str) -> str:
    """A number as typed, without the space some put before ``%``: ``"80 %"`` → ``"80%"``."""
    return re.sub(r"\s+", "", text)


Say = Callable[..., str]


def problems(
    values: Mapping[str, str], goal: GoalView | None, picker: bool, checking: Checking
) -> dict[str, str]:
    """Field → what is wrong with it beyond each field's own rules: the prediction must fit
    its kind, the range must read low-high around the point, confidence is strictly between
    0% and 100% and a probability within 0..1. Empty when it can be kept."""
    say: Say = checking.say
    found: dict[str, str] = {}
    kind = values.get("kind", "").strip()
    prediction = values.get("prediction", "").strip()
    sure = values.get("sure", "").strip()
    if kind == YES_NO:
        if prediction and prediction.lower() not in YES | NO:
            found["prediction"] = say("predict_yes_or_no", text=_quoted(prediction))
        if not values.get("experiment", "").strip():
            found["experiment"] = say("predict_needs_statement")
        if not sure:
            found["sure"] = say("predict_needs_sure")
        elif (p := number(sure)) is not None and not 0 <= p <= 1:
            found["sure"] = say("predict_probability_range", text=_quoted(sure))
        return found
    if kind != NUMBER:
        return found  # the choice's own rule says so
    if goal is None:
        found["goal" if picker else "kind"] = say(
            "predict_pick_goal" if picker else "predict_needs_goal"
        )
    point = number(prediction) if prediction else None
    if not prediction or point is None:
        text = _quoted(prediction) if prediction else "''"
        found["prediction"] = say("predict_not_a_number", text=text)
    interval = values.get("interval", "").strip()
    span = RANGE.fullmatch(interval) if interval else None
    if not interval:
        found["interval"] = say("predict_needs_interval")
    elif span is None or number(span["low"]) is None or number(span["high"]) is None:
        found["interval"] = say("predict_interval_unreadable", text=_quoted(interval))
    else:
        low, high = number(span["low"]), number(span["high"])
        assert low is not None and high is not None
        if low > high:
            found["interval"] = say(
                "predict_upside_down", low=_typed(span["low"]), high=_typed(span["high"])
            )
        elif point is not None and not low <= point <= high:
            found["prediction"] = say(
                "predict_outside",
                point=prediction,
                low=_typed(span["low"]),
                high=_typed(span["high"]),
            )
    if not sure:
        found["sure"] = say("predict_needs_sure")
    elif (c := number(sure)) is not None and not 0 < c < 1:
        found["sure"] = say("predict_confidence_range", text=_quoted(sure))
    return found


def _quoted(text: str) -> str:
    return repr(text[:QUOTED])


def _typed(text: str) -> str:
    return _squeezed(text.strip())


def stated(values: Mapping[str, str]) -> Stated:
    """The prediction in ``values``, which ``problems`` found nothing wrong with."""
    experiment = values.get("experiment", "").strip()
    sure = number(values["sure"])
    assert sure is not None
    prediction = values["prediction"].strip()
    if values["kind"].strip() == YES_NO:
        return Stated(YES_NO, experiment, sure, answer=prediction.lower() in YES)
    span = RANGE.fullmatch(values["interval"].strip())
    assert span is not None
    low_text, high_text = _typed(span["low"]), _typed(span["high"])
    return Stated(
        NUMBER,
        experiment,
        sure,
        point=number(prediction),
        point_text=kept(prediction),
        low=number(low_text),
        low_text=kept(low_text),
        high=number(high_text),
        high_text=kept(high_text),
    )


def percent(share: float) -> str:
    """A share as a percentage, as people say it: ``percent(0.8) == "80%"``,
    ``percent(0.725) == "72.5%"``."""
    return f"{shown(round(share * 100, 1))}%"
