"""Text analysis of check-ins: the signals the coach's nudges are chosen from.

``analyze(goal, update, moves_goal=..., failed=...)`` returns ``Signals``. Today it is rules-based
(``bot.analysis.rules``); a semantic analyser will later sit behind the same function.
"""

from bot.analysis.rules import analyze
from bot.analysis.signals import ALIGNED_THRESHOLD, Signals

__all__ = ["ALIGNED_THRESHOLD", "Signals", "analyze"]
