"""What a value that arrived says of the predictions it resolved: one short line each, held or
missed and which way, in the coach's words. The check-in's answer and a tracker's or a push's
message to the member say it the same way (here, below the coach, so the poller can too).

    >>> resolved = await scope.resolve_with(goal, point.value, point.recorded_at, source="mlflow")
    >>> body = (*body, *told(prompts, resolved))
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.events import Content
from bot.numbers import shown
from bot.prompts import Prompts
from bot.store.views import PredictionView


def told(prompts: Prompts, resolved: Sequence[PredictionView]) -> Content:
    """A line per resolved number prediction (each starts on a new line); ``()`` for none."""
    out: Content = ()
    for p in resolved:
        if p.actual is None:
            continue  # a yes/no: the member resolves it, and is answered then
        if p.held:
            key = "predict_held"
        elif (p.optimism or 0.0) > 0:
            key = "predict_missed_optimistic"
        else:
            key = "predict_missed_pessimistic"
        out += prompts.say(
            key,
            ref=p.ref,
            actual=shown(p.actual, p.actual_text),
            low=shown(p.low, p.low_text),
            high=shown(p.high, p.high_text),
        )
    return out
