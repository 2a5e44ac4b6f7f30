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
# Words a line may put around its numbers: "between 0.40 and 0.50", "80% sure", "at 70%".
RANGE_OPENERS = frozenset({"between", "from", "in", "range"})
RANGE_JOINS = frozenset({"-", "–", "—", "..", "to", "and"})
RANGE_MARKS = ("..", "–", "—", "-", ",")  # inside one token: 0.40-0.50, 0.40..0.50
SURE_WORDS = frozenset({"sure", "confident", "confidence", "likely", "chance"})
PUNCTUATION = ",;:."
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
    line = _Line(text)
    values["goal"] = line.goal()
    first = line.peek().rstrip(PUNCTUATION).lower()
    if first in YES | NO:
        line.take()
        values["kind"], values["prediction"] = YES_NO, "yes" if first in YES else "no"
    elif number(line.peek().rstrip(",;:")) is not None:
        values["prediction"] = line.take().rstrip(",;:")
        span = line.span()
        if span is not None:
            values["interval"] = f"{span[0]}-{span[1]}"
    else:
        values["experiment"] = line.rest()
        return values
    values["sure"] = line.sure()
    values["experiment"] = line.rest().lstrip(":;,-–— ").strip()
    return values


class _Line:
    """A typed line read a word at a time from its start; what is left stays as typed."""

    def __init__(self, text: str) -> None:
        self.left = text.strip()

    def peek(self, skip: int = 0) -> str:
        words = self.left.split(maxsplit=skip + 1)
        return words[skip] if len(words) > skip else ""

    def take(self) -> str:
        word = self.peek()
        self.left = self.left[len(word) :].lstrip()
        return word

    def rest(self) -> str:
        return self.left

    def goal(self) -> str:
        """``goal 2``, ``goal2:``, ``g2`` or ``#2`` first: the goal's number, taken."""
        word = self.peek().rstrip(":,").lower()
        if word == "goal" and self.peek(1).rstrip(":,").isdigit():
            self.take()
            return self.take().rstrip(":,")
        for prefix in ("goal", "g", "#"):
            if word.startswith(prefix) and word[len(prefix) :].isdigit():
                self.take()
                return word[len(prefix) :]
        return ""

    def span(self) -> tuple[str, str] | None:
        """A range next: ``0.40-0.50``, ``0.40 to 0.50``, ``between 0.40 and 0.50``,
        ``[0.40, 0.50]``; (low, high) as typed, taken. ``None`` (nothing taken) otherwise."""
        words = self.left.split(maxsplit=5)[:5]
        found = read_span(words)
        if found is None:
            return None
        used, low, high = found
        for _ in range(used):
            self.take()
        return low, high

    def sure(self) -> str:
        """``80%``, ``at 70%``, ``0.8 sure``, ``80 %``: how sure, as typed, taken."""
        skip = 1 if self.peek().lower() == "at" else 0
        word = self.peek(skip).rstrip(PUNCTUATION)
        if number(word) is None:
            return ""
        for _ in range(skip + 1):
            self.take()
        if self.peek() == "%":
            word += self.take()
        if self.peek().rstrip(PUNCTUATION).lower() in SURE_WORDS:
            self.take()
        return word


def read_span(words: list[str]) -> tuple[int, str, str] | None:
    """A range at the start of ``words``: (how many words it took, low, high), or ``None``.

    >>> read_span(["between", "0.40", "and", "0.50,", "80%"])
    (4, '0.40', '0.50')
    """
    used = 1 if words and words[0].lower() in RANGE_OPENERS else 0
    if len(words) > used:
        one = _split(words[used].strip("[]()").rstrip(PUNCTUATION.replace(".", "")))
        if one is not None:
            return used + 1, *one
    if len(words) < used + 2:
        return None
    low = words[used].lstrip("[(").rstrip(",;:")
    joined = words[used].endswith(",")  # [0.40, 0.50]
    join = 0 if joined else 1
    if not joined and words[used + 1].lower() not in RANGE_JOINS:
        return None
    if len(words) < used + 2 + join:
        return None
    high = words[used + 1 + join].rstrip(",;:").rstrip("])").rstrip(",;:")
    if number(low) is None or number(high) is None:
        return None
    return used + 2 + join, low, high


def _split(word: str) -> tuple[str, str] | None:
    """``"0.40-0.50"`` → ``("0.40", "0.50")``; ``"-0.5--0.3"`` → ``("-0.5", "-0.3")``."""
    for mark in RANGE_MARKS:
        at = word.find(mark, 1)  # past a leading minus sign
        if at > 0:
            low, high = word[:at], word[at + len(mark) :]
            if number(low) is not None and number(high) is not None:
                return low, high
    return None


def read_range(text: str) -> tuple[str, str] | None:
    """The range a form's field holds, all of it: (low, high) as typed, or ``None``."""
    words = text.split()
    found = read_span(words)
    return None if found is None or found[0] != len(words) else (found[1], found[2])


Say = Callable[..., str]


def problems(
    values: Mapping[str, str], goal: GoalView | None, picker: bool, checking: Checking
) -> dict[str, str]:
    """Field → what is wrong with it beyond each field's own rules: the prediction must fit
    its kind, the range must read low-high around the point, confidence is strictly between
    0% and 100% and a probability within 0..1. Empty when it can be kept."""
    say: Say = checking.say
    found: dict[str, str] = {}
    kind = kind_of(values)
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
    span = read_range(interval) if interval else None
    if not interval:
        found["interval"] = say("predict_needs_interval")
    elif span is None:
        found["interval"] = say("predict_interval_unreadable", text=_quoted(interval))
    else:
        low, high = number(span[0]), number(span[1])
        assert low is not None and high is not None
        if low > high:
            found["interval"] = say("predict_upside_down", low=span[0], high=span[1])
        elif point is not None and not low <= point <= high:
            found["prediction"] = say(
                "predict_outside", point=prediction, low=span[0], high=span[1]
            )
    if not sure:
        found["sure"] = say("predict_needs_sure")
    elif (c := number(sure)) is not None and not 0 < c < 1:
        found["sure"] = say("predict_confidence_range", text=_quoted(sure))
    return found


def kind_of(values: Mapping[str, str]) -> str:
    """The kind the member chose; a plain yes or no typed as the prediction is a yes/no
    whatever the choice says (its default is a number)."""
    if values.get("prediction", "").strip().lower() in YES | NO:
        return YES_NO
    return values.get("kind", "").strip()


def _quoted(text: str) -> str:
    return repr(text[:QUOTED])


def stated(values: Mapping[str, str]) -> Stated:
    """The prediction in ``values``, which ``problems`` found nothing wrong with."""
    experiment = values.get("experiment", "").strip()
    sure = number(values["sure"])
    assert sure is not None
    prediction = values["prediction"].strip()
    if kind_of(values) == YES_NO:
        return Stated(YES_NO, experiment, sure, answer=prediction.lower() in YES)
    span = read_range(values["interval"])
    assert span is not None
    low_text, high_text = span
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
