"""The semantic analyser: the rules, plus an embedded sentence-embedding model.

How it reads one check-in:

- The update (and the "how does this move your goal" answer) is cut into sentences; each
  becomes a vector (``bot.analysis.embedder``), all in one batch.
- *Goal alignment* (of the words alone) is a calibrated probability from a few features: the
  best sentence's similarity to the goal and to its metric; how much closer a sentence comes to
  the goal than to the nearest of a cohort of other research goals (contrastive: work on a
  neighbouring task is close to the goal, but closer still to that task); the similarity to a
  bank of off-goal work (admin, travel, favours); the idea-driven probe's score; the rules'
  shared-word score; and two cue phrases (``prompts/cues/``): work said to be for someone else,
  and a measured change. A logistic regression, fitted on the dev splits by
  ``bot.analysis.calibrate``, turns them into a probability.
- *History*: how close a sentence comes to the member's earlier on-goal updates on this goal
  (their vocabulary); *feedback*: how close the update comes to one whose nudge they marked
  unhelpful.
- *Failure* also fires, as a gentler question, when a sentence scores above a threshold chosen
  on dev under the failure probe (``bot.analysis.probes``, trained on ``prompts/examples.yaml``)
  with no cue phrase behind it (``Signals.similar_only``). *Imitation* fires when a sentence
  that names someone famous ("the Sony crew", "DeepMind") scores above ``GATED_IMITATION`` under
  the imitation probe: the name is the gate, the probe tells copying them from using their
  tool. Trend-chasing never fires on similarity: it needs words that give it as the reason.

These are the clues; ``bot.analysis.judgement.decide`` makes the decision, for the rules and
this analyser alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from bot.analysis import calibration, gated, rules
from bot.analysis.banks import BankVectors, Matrix
from bot.analysis.embedder import Embedder, Vector
from bot.analysis.evidence import Evidence
from bot.analysis.judgement import Clues, decide
from bot.analysis.phrases import cached_tokens
from bot.analysis.probes import NEGATED_PENALTY, Weights
from bot.analysis.reading import TextReading, read_text
from bot.analysis.signals import SIGNAL_NAMES, Signals

__all__ = [
    "ALIGNMENT_FEATURES",
    "HISTORY_FLOOR",
    "HISTORY_FULL",
    "NEAR_UNHELPFUL",
    "Calibration",
    "Likeness",
    "Reading",
    "SemanticAnalyzer",
    "pieces",
    "sentences",
]

ALIGNMENT_FEATURES = (
    "goal",
    "metric",
    "contrast",
    "off_goal",
    "idea",
    "lexical",
    "elsewhere",
    "progress",
)
"""The similarities goal alignment is computed from, in the order of the fitted weights."""

HISTORY_FLOOR = 0.3
"""Cosine to the closest earlier update on the goal below which the update reads as new ground;
at ``HISTORY_FULL`` and above it reads like the member's earlier on-goal work (chosen on the
realistic dev split)."""
HISTORY_FULL = 0.7
NEAR_UNHELPFUL = 0.75
"""Cosine to an update whose nudge the member marked unhelpful at which that nudge stays
unsaid: the same kind of update, in the member's words."""

# Cohort goals at least this close to the member's goal are the same task in other words: an
# update is not contrasted with them.
COHORT_SAME_TASK = 0.5
MAX_PIECES = 12  # a long update is read up to this many sentences

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (semicolons and line breaks end one too)."""
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def pieces(text: str) -> list[str]:
    """What the model reads of an update: its sentences, at most ``MAX_PIECES``, embedded in
    one batch. (Clauses were read too until the cue phrases took over the accusing signals:
    they doubled the cost and added nothing on the dev splits.)"""
    return list(dict.fromkeys(sentences(text)))[:MAX_PIECES]


@dataclass(frozen=True)
class Calibration:
    """What the dev split chose: the alignment model and each detector's thresholds."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    thresholds: dict[str, float]  # a piece fires a signal when its probe scores at least this

    @classmethod
    def shipped(cls) -> Calibration:
        return cls(
            mean=calibration.ALIGNMENT_MEAN,
            scale=calibration.ALIGNMENT_SCALE,
            weights=calibration.ALIGNMENT_WEIGHTS,
            bias=calibration.ALIGNMENT_BIAS,
            thresholds=dict(calibration.DETECTOR_THRESHOLDS),
        )

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias + sum(
            w * (x - m) / s
            for w, x, m, s in zip(self.weights, features, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Likeness:
    """For one detector: each piece's probe score (a logit; negated pieces already penalised)."""

    pieces: tuple[str, ...]
    scores: tuple[float, ...]

    def hit(self, threshold: float) -> str | None:
        """The best-scoring piece if it reaches ``threshold``, else None."""
        if not self.scores:
            return None
        best = max(range(len(self.scores)), key=self.scores.__getitem__)
        return self.pieces[best] if self.scores[best] >= threshold else None

    @property
    def strength(self) -> float:
        """The highest score of any piece (how idea-driven an update reads, for alignment)."""
        return max(self.scores, default=0.0)


@dataclass(frozen=True)
class Reading:
    """Everything the analyser computed for one check-in, before any threshold."""

    features: tuple[float, ...]  # ALIGNMENT_FEATURES, in order
    best_sentence: str  # the sentence or clause closest to the goal
    likeness: dict[str, Likeness]  # per signal
    words: TextReading
    # One row per piece of ``likeness``, for scoring with other probes (not compared: an array).
    vectors: Matrix = field(compare=False, repr=False)

    def scored_by(self, probes: dict[str, Weights]) -> Reading:
        """This reading with every detector's scores (and the idea feature) from ``probes``:
        calibration scores dev check-ins with probes that were not trained on them."""
        texts = list(next(iter(self.likeness.values())).pieces)
        likeness = {name: _likeness(probes[name], texts, self.vectors) for name in SIGNAL_NAMES}
        features = list(self.features)
        if any(features):  # a reading without a goal has no alignment features
            features[ALIGNMENT_FEATURES.index("idea")] = likeness["idea_driven"].strength
        return replace(self, features=tuple(features), likeness=likeness)


def _own(sentence: str) -> bool:
    """Whether the member gives a reason of their own or a measured change in ``sentence``:
    the check-in probes leave such a sentence to the cue phrases. (A name or trend that is
    itself negated, "I did not copy Karpathy's setup", never passes the gate.)"""
    words = read_text(None, sentence)
    return words.own_reason or words.progress


def _phrase_of(sentence: str | None) -> str | None:
    return rules.phrase(sentence) if sentence else None


def _says_no(text: str) -> bool:
    return any(t.text in ("not", "no", "never", "nothing", "without") for t in cached_tokens(text))


def _likeness(weights: Weights, texts: list[str], vectors: Matrix) -> Likeness:
    scores = vectors @ weights[1:] + weights[0]
    return Likeness(
        tuple(texts),
        tuple(
            float(score) - (NEGATED_PENALTY if _says_no(text) else 0.0)
            for text, score in zip(texts, scores, strict=True)
        ),
    )


class SemanticAnalyzer:
    """``analyze(goal, update, moves_goal=..., failed=...) -> Signals``, like the rules."""

    def __init__(
        self, embedder: Embedder, banks: BankVectors, calibration: Calibration | None = None
    ) -> None:
        self.embedder = embedder
        self.banks = banks
        self.calibration = calibration or Calibration.shipped()

    # --- reading ---------------------------------------------------------------------------

    def read(
        self, goal: str | None, update: str, moves_goal: str = "", failed: str = ""
    ) -> Reading:
        """All similarities of one check-in (threshold-free: calibration fits on these)."""
        words = read_text(goal, update, moves_goal, failed)
        texts = pieces(update) + [p for p in pieces(moves_goal) if p]
        if not texts:
            texts = [update or " "]
        vectors = self.embedder.embed_remembered(texts)
        likeness = {
            name: _likeness(self.banks.probes[name], texts, vectors) for name in SIGNAL_NAMES
        }
        features, best = self._alignment_features(goal, update, texts, vectors, likeness, words)
        return Reading(features, best, likeness, words, vectors)

    def _alignment_features(
        self,
        goal: str | None,
        update: str,
        texts: list[str],
        vectors: Matrix,
        likeness: dict[str, Likeness],
        words: TextReading,
    ) -> tuple[tuple[float, ...], str]:
        if not goal or not goal.strip():
            return tuple(0.0 for _ in ALIGNMENT_FEATURES), ""
        capability, _, metric = goal.partition(";")
        goal_vector: Vector = self.embedder.embed_one(goal.strip())
        metric_vector: Vector = self.embedder.embed_one((metric or capability).strip())
        to_goal = vectors @ goal_vector
        cohort = self.banks.vectors["cohort.goals"]
        others = cohort[cohort @ goal_vector < COHORT_SAME_TASK]
        nearest_other = (vectors @ others.T).max(axis=1) if len(others) else 0.0 * to_goal
        best = int(np.argmax(to_goal))
        features = (
            float(to_goal.max()),
            float((vectors @ metric_vector).max()),
            float((to_goal - nearest_other).max()),
            float((vectors @ self.banks.vectors["off_goal"].T).max()),
            likeness["idea_driven"].strength,
            rules.lexical_alignment(goal, update),
            1.0 if words.elsewhere is not None else 0.0,
            1.0 if words.progress else 0.0,
        )
        return features, texts[best]

    # --- deciding --------------------------------------------------------------------------

    def text_alignment(self, reading: Reading) -> float:
        """Calibrated probability that the words alone serve the goal."""
        if not any(reading.features):
            return 0.0
        return self.calibration.probability(reading.features)

    def similar(self, name: str, reading: Reading) -> str | None:
        """The piece that fires signal ``name`` by similarity to its example bank, or None."""
        return reading.likeness[name].hit(self.calibration.thresholds[name])

    def _closest(self, vectors: Matrix, texts: tuple[str, ...]) -> float:
        """The highest cosine between a sentence of the update and one of ``texts``' (read
        sentence by sentence, as when they were checked in: remembered, so nearly free)."""
        others = [p for t in texts for p in pieces(t)]
        if not others or not len(vectors):
            return 0.0
        return float((vectors @ self.embedder.embed_remembered(others).T).max())

    def clues(self, evidence: Evidence, reading: Reading) -> Clues:
        fit = (self._closest(reading.vectors, evidence.vocabulary) - HISTORY_FLOOR) / (
            HISTORY_FULL - HISTORY_FLOOR
        )
        near = frozenset(
            f.nudge_id
            for f in evidence.unhelpful
            if self._closest(reading.vectors, (f.update,)) >= NEAR_UNHELPFUL
            or rules.analyze_overlap(evidence.update, f.update) >= rules.NEAR_UNHELPFUL
        )
        likeness = self.similar("failure", reading)
        texts = reading.likeness["role_model_mimicry"].pieces
        probed = {
            name: gated.score(weights, name, texts, reading.vectors, skip=_own)
            for name, weights in self.banks.gated.items()
        }
        return Clues(
            words=reading.words,
            text_alignment=self.text_alignment(reading),
            history_fit=min(1.0, max(0.0, fit)),
            failure_likeness=rules.phrase(likeness) if likeness else None,
            imitation_likeness=_phrase_of(probed.get("role_model_mimicry")),
            trend_likeness=_phrase_of(probed.get("idea_driven")),
            near_unhelpful=near,
            aligned_phrase=rules.phrase(reading.best_sentence) if reading.best_sentence else "",
        )

    def analyze_evidence(self, evidence: Evidence) -> Signals:
        """Analyse one check-in with everything the coach knows about it."""
        reading = self.read(evidence.goal, evidence.update, evidence.moves_goal, evidence.failed)
        verdict = decide(evidence, self.clues(evidence, reading))
        return replace(verdict, analyzer="semantic")

    def analyze(
        self, goal: str | None, update: str, *, moves_goal: str = "", failed: str = ""
    ) -> Signals:
        """Analyse one check-in's text; the same contract as ``bot.analysis.rules.analyze``."""
        return self.analyze_evidence(Evidence(goal, update, moves_goal=moves_goal, failed=failed))
