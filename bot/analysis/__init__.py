"""Text analysis of check-ins: the signals the coach's nudges are chosen from.

``analyze(goal, update, moves_goal=..., failed=...)`` returns ``Signals``. By default the
embedded semantic analyser answers (``bot.analysis.semantic``: the rules plus a small
sentence-embedding model shipped in a PyPI package, checked against a pinned sha256, fully
offline). When the model is switched off (``COACH_ANALYSIS_MODEL=off``) or cannot load, the rules
(``bot.analysis.rules``) answer alone; the log says so once and ``research-coach doctor`` says
why.

The model loads once per process, on first use or at ``warm_up()``; ``analyze`` is thread-safe
and is run in a worker thread by the coach so the event loop never waits on it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.analysis import phrases, rules
from bot.analysis.evidence import Evidence, Feedback
from bot.analysis.signals import ALIGNED_THRESHOLD, SIGNAL_NAMES, Signals

if TYPE_CHECKING:  # numpy and onnxruntime load with the model, not with this package
    from bot.analysis.semantic import SemanticAnalyzer

__all__ = [
    "ALIGNED_THRESHOLD",
    "SIGNAL_NAMES",
    "Evidence",
    "Feedback",
    "ModelStatus",
    "Signals",
    "analyze",
    "analyze_evidence",
    "configure",
    "forget_texts",
    "rules_analyze",
    "rules_analyze_evidence",
    "semantic_analyzer",
    "status",
    "warm_up",
]

log = logging.getLogger(__name__)

rules_analyze = rules.analyze
rules_analyze_evidence = rules.analyze_evidence


@dataclass(frozen=True)
class ModelStatus:
    """Whether the embedded model answers: ``loaded``, ``off`` (by setting), ``failed`` or
    ``not loaded yet``; ``detail`` says which file, or why not."""

    state: Literal["loaded", "off", "failed", "not loaded yet"]
    detail: str = ""


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.enabled = True
        self.model_file: Path | None = None
        self.analyzer: SemanticAnalyzer | None = None
        self.error: str | None = None


_state = _State()


def configure(*, enabled: bool = True, model_file: Path | None = None) -> None:
    """Choose the analyser for this process (from settings); forgets a loaded model."""
    with _state.lock:
        _state.enabled = enabled
        _state.model_file = model_file
        _state.analyzer = None
        _state.error = None


def semantic_analyzer() -> SemanticAnalyzer | None:
    """The loaded ``SemanticAnalyzer``, loading it on first call; None if off or it failed."""
    if _state.analyzer is not None or not _state.enabled:
        return _state.analyzer
    with _state.lock:
        if _state.analyzer is not None or _state.error is not None or not _state.enabled:
            return _state.analyzer
        try:
            _state.analyzer = _load(_state.model_file)
        except Exception as exc:  # any failure to load leaves the rules in charge
            _state.error = f"{type(exc).__name__}: {exc}"
            log.warning(
                "the embedded analysis model did not load (%s); the rules carry on alone",
                _state.error,
            )
        return _state.analyzer


def _load(model_file: Path | None) -> SemanticAnalyzer:
    from bot.analysis.banks import load_bank_vectors
    from bot.analysis.embedder import load_embedder
    from bot.analysis.semantic import SemanticAnalyzer

    embedder = load_embedder(model_file)
    analyzer = SemanticAnalyzer(embedder, load_bank_vectors(embedder))
    analyzer.analyze("warm up; load", "warm up")  # the first inference allocates its buffers
    log.info("embedded analysis model loaded from %s", embedder.model_file)
    return analyzer


def forget_texts() -> None:
    """Forget every text the analysis remembers to read faster (the words of recent check-ins,
    and their vectors when the model is loaded): a member's words leave memory on forget me."""
    phrases.cached_tokens.cache_clear()
    if _state.analyzer is not None:
        _state.analyzer.embedder.forget_texts()


def warm_up() -> ModelStatus:
    """Load the model now (at start-up rather than on the first check-in)."""
    semantic_analyzer()
    return status()


def status() -> ModelStatus:
    if not _state.enabled:
        return ModelStatus("off", "COACH_ANALYSIS_MODEL is off: the rules answer alone")
    if _state.error is not None:
        return ModelStatus("failed", _state.error)
    if _state.analyzer is None:
        return ModelStatus("not loaded yet")
    return ModelStatus("loaded", str(_state.analyzer.embedder.model_file))


def analyze(goal: str | None, update: str, *, moves_goal: str = "", failed: str = "") -> Signals:
    """Analyse one check-in with the embedded model, or with the rules when it is unavailable.

    ``goal`` is the goal's capability and metric joined by "; " (None if the member has none),
    ``update`` what they did, ``moves_goal`` their answer to "how does this move your goal" and
    ``failed`` their answer to "anything that failed or was dropped".
    """
    return analyze_evidence(Evidence(goal, update, moves_goal=moves_goal, failed=failed))


def analyze_evidence(evidence: Evidence) -> Signals:
    """Analyse one check-in with everything the coach knows about it (``Evidence``): the
    embedded model's clues when it is loaded, the rules' otherwise; one decision for both
    (``bot.analysis.judgement.decide``)."""
    analyzer = semantic_analyzer()
    if analyzer is not None:
        return analyzer.analyze_evidence(evidence)
    return rules.analyze_evidence(evidence)
