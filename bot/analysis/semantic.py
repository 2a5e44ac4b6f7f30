"""The semantic analyser: the rules, plus an embedded sentence-embedding model.

How it reads one check-in:

- The update (and the "how does this move your goal" answer) is cut into sentences, and the
  sentences into clauses, so "Fine-tuned on clinic audio, like Karpathy does" is also read as
  "like Karpathy does". Each piece becomes a vector (``bot.analysis.embedder``).
- *Goal alignment* is a calibrated probability from a few similarities: of the best sentence to
  the goal and to its metric, to a cohort of other research goals (an update about some other
  task resembles them more), to a bank of off-goal work (demos for other teams, admin), the
  idea-driven margin, and the rules' shared-word score. A logistic regression, fitted on the dev
  split by ``bot.analysis.calibrate``, turns them into a probability.
- *Role-model mimicry*, *idea-driven* and *failure*: a rule hit fires as before. Otherwise a
  piece fires when it is close to the signal's ``like`` bank (``prompts/examples.yaml``) and
  clearly closer to it than to its ``unlike`` bank of near misses (negations, neutral mentions,
  failure analysis). Such a similarity-only hit is marked in ``Signals.similar_only``: the coach
  then asks a gentler question instead of nudging.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.analysis import calibration, rules
from bot.analysis.banks import BankVectors, Matrix
from bot.analysis.embedder import Embedder, Vector
from bot.analysis.signals import ALIGNED_THRESHOLD, SIGNAL_NAMES, Signals

__all__ = [
    "ALIGNMENT_FEATURES",
    "MOVES_GOAL_WEIGHT",
    "Calibration",
    "Closeness",
    "Reading",
    "SemanticAnalyzer",
    "pieces",
    "sentences",
]

ALIGNMENT_FEATURES = ("goal", "metric", "cohort", "off_goal", "idea", "lexical")
"""The similarities goal alignment is computed from, in the order of the fitted weights."""

MOVES_GOAL_WEIGHT = 0.3
"""How much a meaningful "how does this move your goal" answer adds on its own (noisy-or)."""

COHORT_TOP = 5  # an update is compared with the mean of its five closest cohort goals
MAX_PIECES = 12  # a long update is read up to this many sentences and clauses
MIN_CLAUSE_WORDS = 2

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_CLAUSE = re.compile(
    r"\s*(?:[,;:()]|\s[-\u2013\u2014]+\s)\s*"
    r"|\s+(?=(?:so|because|since|but|although|though|instead|while|which|otherwise)\b)",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (semicolons end one too)."""
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def pieces(text: str) -> list[str]:
    """Sentences, then the clauses of each sentence that has several: what detectors read."""
    found = sentences(text)
    out = list(found)
    for sentence in found:
        parts = [p.strip() for p in _CLAUSE.split(sentence) if p and p.strip()]
        parts = [p for p in parts if len(p.split()) >= MIN_CLAUSE_WORDS]
        if len(parts) > 1:
            out += parts
    unique = list(dict.fromkeys(out))
    return unique[:MAX_PIECES]


@dataclass(frozen=True)
class Calibration:
    """What the dev split chose: the alignment model and each detector's thresholds."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    floors: dict[str, float]  # a piece must be at least this close to the ``like`` bank ...
    margins: dict[str, float]  # ... and this much closer to it than to the ``unlike`` bank

    @classmethod
    def shipped(cls) -> Calibration:
        return cls(
            mean=calibration.ALIGNMENT_MEAN,
            scale=calibration.ALIGNMENT_SCALE,
            weights=calibration.ALIGNMENT_WEIGHTS,
            bias=calibration.ALIGNMENT_BIAS,
            floors=dict(calibration.DETECTOR_FLOORS),
            margins=dict(calibration.DETECTOR_MARGINS),
        )

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias + sum(
            w * (x - m) / s
            for w, x, m, s in zip(self.weights, features, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Closeness:
    """For one detector: how close each piece is to its ``like`` and ``unlike`` banks."""

    pieces: tuple[str, ...]
    like: tuple[float, ...]
    unlike: tuple[float, ...]
    # A piece that says "not", "never", "no" ... may only fire when the example it resembles
    # says so too ("it didn't work"): "I did not copy DeepMind" is not "I copied DeepMind".
    eligible: tuple[bool, ...]

    def hit(self, floor: float, margin: float) -> str | None:
        """The piece that fires at these thresholds (largest margin), or None."""
        best: tuple[float, str] | None = None
        for piece, like, unlike, ok in zip(
            self.pieces, self.like, self.unlike, self.eligible, strict=True
        ):
            if (
                ok
                and like >= floor
                and like - unlike >= margin
                and (best is None or like - unlike > best[0])
            ):
                best = (like - unlike, piece)
        return None if best is None else best[1]

    @property
    def margin(self) -> float:
        """The largest margin of any piece (how idea-driven an update reads, for alignment)."""
        return max((a - b for a, b in zip(self.like, self.unlike, strict=True)), default=0.0)


@dataclass(frozen=True)
class Reading:
    """Everything the analyser computed for one check-in, before any threshold."""

    features: tuple[float, ...]  # ALIGNMENT_FEATURES, in order
    best_sentence: str  # the sentence closest to the goal
    closeness: dict[str, Closeness]  # per signal
    rules: Signals


class SemanticAnalyzer:
    """``analyze(goal, update, moves_goal=..., failed=...) -> Signals``, like the rules."""

    def __init__(
        self, embedder: Embedder, banks: BankVectors, calibration: Calibration | None = None
    ) -> None:
        self.embedder = embedder
        self.banks = banks
        self.calibration = calibration or Calibration.shipped()
        self._says_no = {
            name: tuple(rules.says_no(text) for text in texts)
            for name, texts in banks.texts.items()
        }

    # --- reading ---------------------------------------------------------------------------

    def read(
        self, goal: str | None, update: str, moves_goal: str = "", failed: str = ""
    ) -> Reading:
        """All similarities of one check-in (threshold-free: calibration fits on these)."""
        base = rules.analyze(goal, update, moves_goal=moves_goal, failed=failed)
        texts = pieces(update) + [p for p in pieces(moves_goal) if p]
        whole = sentences(update) + sentences(moves_goal)
        if not texts:
            texts = whole = [update or " "]
        vectors = self.embedder.embed(texts)
        index = {text: i for i, text in enumerate(texts)}
        sentence_vectors = vectors[[index[s] for s in whole if s in index] or [0]]

        closeness = {name: self._closeness(name, texts, vectors) for name in SIGNAL_NAMES}
        features, best = self._alignment_features(goal, update, whole, sentence_vectors, closeness)
        return Reading(features, best, closeness, base)

    def _closeness(self, name: str, texts: list[str], vectors: Matrix) -> Closeness:
        to_like = vectors @ self.banks.vectors[f"{name}.like"].T
        like = to_like.max(axis=1)
        nearest = to_like.argmax(axis=1)
        unlike = (vectors @ self.banks.vectors[f"{name}.unlike"].T).max(axis=1)
        says_no = self._says_no[f"{name}.like"]
        eligible = tuple(
            not rules.says_no(text) or says_no[int(j)]
            for text, j in zip(texts, nearest, strict=True)
        )
        return Closeness(
            tuple(texts),
            tuple(float(v) for v in like),
            tuple(float(v) for v in unlike),
            eligible,
        )

    def _alignment_features(
        self,
        goal: str | None,
        update: str,
        whole: list[str],
        vectors: Matrix,
        closeness: dict[str, Closeness],
    ) -> tuple[tuple[float, ...], str]:
        if not goal or not goal.strip():
            return tuple(0.0 for _ in ALIGNMENT_FEATURES), ""
        capability, _, metric = goal.partition(";")
        goal_vector: Vector = self.embedder.embed_one(goal.strip())
        metric_vector: Vector = self.embedder.embed_one((metric or capability).strip())
        to_goal = vectors @ goal_vector
        cohort = np.sort(vectors @ self.banks.vectors["cohort.goals"].T, axis=1)[:, -COHORT_TOP:]
        off_goal = (vectors @ self.banks.vectors["off_goal"].T).max(axis=1)
        best = int(np.argmax(to_goal))
        features = (
            float(to_goal.max()),
            float((vectors @ metric_vector).max()),
            float(cohort.mean(axis=1).max()),
            float(off_goal.max()),
            closeness["idea_driven"].margin,
            rules.lexical_alignment(goal, update),
        )
        return features, whole[best] if best < len(whole) else ""

    # --- deciding --------------------------------------------------------------------------

    def alignment(self, reading: Reading, moves_goal: str = "") -> float:
        """Calibrated probability that the update visibly serves the goal."""
        if not any(reading.features):
            return 0.0
        p = self.calibration.probability(reading.features)
        answer = rules.moves_goal_strength(moves_goal) if moves_goal else 0.0
        p = 1.0 - (1.0 - p) * (1.0 - MOVES_GOAL_WEIGHT * answer)
        return round(min(1.0, max(0.0, p)), 4)

    def similar(self, name: str, reading: Reading) -> str | None:
        """The piece that fires signal ``name`` by similarity to its example bank, or None."""
        floor = self.calibration.floors[name]
        margin = self.calibration.margins[name]
        return reading.closeness[name].hit(floor, margin)

    def decide(self, reading: Reading, moves_goal: str = "") -> Signals:
        alignment = self.alignment(reading, moves_goal)
        aligned = alignment >= ALIGNED_THRESHOLD
        evidence = {k: v for k, v in reading.rules.evidence.items() if k != "aligned"}
        if aligned and reading.best_sentence:
            evidence["aligned"] = rules.phrase(reading.best_sentence)
        fired: dict[str, bool] = {}
        similar_only: set[str] = set()
        for name in SIGNAL_NAMES:
            by_rule = bool(getattr(reading.rules, name))
            by_similarity = self.similar(name, reading)
            fired[name] = by_rule or by_similarity is not None
            if by_similarity is not None and not by_rule:
                similar_only.add(name)
                evidence[name] = rules.phrase(by_similarity)
        return Signals(
            goal_alignment=alignment,
            aligned=aligned,
            role_model_mimicry=fired["role_model_mimicry"],
            idea_driven=fired["idea_driven"],
            failure=fired["failure"],
            evidence=evidence,
            similar_only=frozenset(similar_only),
            analyzer="semantic",
        )

    def analyze(
        self, goal: str | None, update: str, *, moves_goal: str = "", failed: str = ""
    ) -> Signals:
        """Analyse one check-in; the same contract as ``bot.analysis.rules.analyze``."""
        return self.decide(self.read(goal, update, moves_goal, failed), moves_goal)
