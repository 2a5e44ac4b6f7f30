"""Check-in probes of the accusing signals: a famous name or a trend is the gate, a probe
trained on labelled check-ins decides.

Cue phrases catch imitation and trend-chasing said the ways someone wrote them down; real
writers find new ways. So a sentence that *names* someone whose choices could be copied
("the Sony crew", "DeepMind") or a trend ("everyone's posting", "the new preprint") is also
scored by a linear probe over its vector, trained on the labelled dev check-ins: the gated
sentences of flagged check-ins against the gated sentences of the others (using a famous lab's
model as a tool, trying a hyped paper on one's own task). The gate keeps the probe from ever
accusing a sentence that names no one and no trend; the threshold was chosen by
cross-validation over dev projects (``GATED_THRESHOLD``), precision first: 0.92 for imitation
and 0.90 for trend-chasing there, on projects the probe had not seen (0.4 gave as much
precision there and more recall, but more accusations of on-goal work on the earlier splits).

Trained by ``python -m bot.analysis.calibrate --write`` and cached with the bank vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bot.analysis.banks import Matrix
from bot.analysis.cuebook import cue_book
from bot.analysis.phrases import cached_tokens
from bot.analysis.probes import Weights, train_probe
from bot.analysis.reading import negated

__all__ = ["GATED_L2", "GATED_SIGNALS", "GATED_THRESHOLD", "gate", "score", "train"]

GATED_SIGNALS = ("role_model_mimicry", "idea_driven")
GATED_THRESHOLD = 0.6
GATED_L2 = 1.0  # chosen with the threshold, by cross-validation over dev projects


def gate(signal: str, sentence: str) -> bool:
    """Whether ``sentence`` names what ``signal`` is about: someone to copy, or a trend.

    >>> gate("role_model_mimicry", "went with the recipe the Sony crew used")
    True
    >>> gate("idea_driven", "fixed the loader")
    False
    """
    book = cue_book()
    cues = book.signal(signal)
    tokens = cached_tokens(sentence)
    for match in cues.find(tokens):
        cue = cues.cue(match.key)
        # "did not copy Karpathy", "not because everyone is on it": the name or the trend is
        # set aside, so nothing is left to score. A "not" elsewhere in the sentence ("didn't
        # ablate", "reviewers won't complain") often is the imitation itself.
        if negated(tokens, match, book):
            continue
        if signal == "role_model_mimicry" and cue.part == "authority":
            return True
        if signal == "idea_driven" and cue.part in (None, "trigger", "event"):
            return True
    return False


def score(
    weights: Weights,
    signal: str,
    sentences: Sequence[str],
    vectors: Matrix,
    skip: Callable[[str], bool] = lambda _: False,
) -> str | None:
    """The gated sentence the probe scores highest, if it reaches ``GATED_THRESHOLD``;
    ``skip`` sets a sentence aside (one where the member gives a reason of their own)."""
    best: tuple[float, str] | None = None
    for sentence, vector in zip(sentences, vectors, strict=True):
        if not gate(signal, sentence) or skip(sentence):
            continue
        value = float(vector @ weights[1:] + weights[0])
        if value >= GATED_THRESHOLD and (best is None or value > best[0]):
            best = (value, sentence)
    return None if best is None else best[1]


def train(
    signal: str,
    sentences: Sequence[Sequence[str]],
    vectors: Sequence[Matrix],
    flagged: Sequence[bool],
) -> Weights | None:
    """The probe of ``signal`` from labelled check-ins (each: its sentences, their vectors, its
    label); None when the gate lets too few through to learn from."""
    positive: list[Matrix] = []
    negative: list[Matrix] = []
    for texts, rows, label in zip(sentences, vectors, flagged, strict=True):
        for text, row in zip(texts, rows, strict=True):
            if gate(signal, text):
                (positive if label else negative).append(row)
    if len(positive) < 10 or len(negative) < 10:
        return None
    return train_probe(np.vstack(positive), np.vstack(negative), GATED_L2)
