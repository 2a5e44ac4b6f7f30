"""How close a question comes to texts a team shared: "has anyone tried this?".

With the embedded model loaded, the cosine of sentence vectors (``bot.analysis.embedder``); with
it off or broken, shared content words weighted by how rare they are among the texts (an
idf-weighted cosine of word sets, BM25's idea without its length terms). Each way has its own
floor: below it, nothing is close.

Vectors of the texts are remembered (bounded, by text: an edited text is read anew), and a
search embeds at most ``NEW_PER_SEARCH`` texts it has not seen: the model reads about 100 short
texts a second on one thread, so a team's 2,000 shared items are read over the first searches
after a start, each answered in under a second (0.2 s once all are read); a text not read yet is
judged by its words meanwhile.

>>> [m.index for m in closest("warmup with a cosine schedule", ["cosine warmup diverged", "BPE"])]
[0]
"""

from __future__ import annotations

import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import analysis
from bot.analysis.rules import content_stems

if TYPE_CHECKING:
    from bot.analysis.embedder import Embedder, Vector

__all__ = ["MODEL_FLOOR", "NEW_PER_SEARCH", "WORD_FLOOR", "Match", "closest", "forget"]

MODEL_FLOOR = 0.45
"""Cosine of the question to a text below which it is not close: unrelated research updates
sit near 0.1, a rewording of the same attempt above 0.5."""
WORD_FLOOR = 0.3
"""The same for shared words, when the model is off."""
STRICT = 0.15
"""Added to each floor when the coach speaks unasked (a check-in's next experiment): it had
better be close."""
NEW_PER_SEARCH = 48  # texts embedded anew in one search (about half a second)
REMEMBERED = 4096  # vectors kept, the newest used


@dataclass(frozen=True)
class Match:
    """``texts[index]`` is close, with ``score`` on its own method's scale."""

    index: int
    score: float


class _Vectors:
    """The texts' vectors, newest used last; thread-safe (searches run in worker threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kept: OrderedDict[str, Vector] = OrderedDict()

    def known(self, texts: Sequence[str]) -> dict[str, Vector]:
        with self.lock:
            found = {t: self.kept[t] for t in texts if t in self.kept}
            for text in found:
                self.kept.move_to_end(text)
            return found

    def keep(self, texts: Sequence[str], rows: Sequence[Vector]) -> None:
        with self.lock:
            for text, row in zip(texts, rows, strict=True):
                self.kept[text] = row
            while len(self.kept) > REMEMBERED:
                self.kept.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.kept.clear()


_vectors = _Vectors()


def forget() -> None:
    """Drop every remembered vector (a member's words leave memory on forget me)."""
    _vectors.clear()


def closest(
    question: str, texts: Sequence[str], *, limit: int = 3, strict: bool = False
) -> list[Match]:
    """The ``limit`` texts closest to ``question`` above the floor, closest first. Blocking
    (the model): call it in a worker thread."""
    if not question.strip() or not texts:
        return []
    analyzer = analysis.semantic_analyzer()
    word_floor = WORD_FLOOR + (STRICT if strict else 0.0)
    if analyzer is None:
        return _by_words(question, texts, word_floor)[:limit]
    scores = _by_model(analyzer.embedder, question, texts)
    floor = MODEL_FLOOR + (STRICT if strict else 0.0)
    found = [Match(i, s) for i, s in scores.items() if s >= floor]
    found.sort(key=lambda m: m.score, reverse=True)
    # Texts the model has not read yet are judged by their words until it has.
    unread = [i for i in range(len(texts)) if i not in scores]
    if unread:
        by_words = _by_words(question, [texts[i] for i in unread], word_floor)
        found += [Match(unread[m.index], m.score) for m in by_words]
    return found[:limit]


def _by_model(embedder: Embedder, question: str, texts: Sequence[str]) -> dict[int, float]:
    """The cosine to the question of each text the model has read (index → cosine); it reads
    up to ``NEW_PER_SEARCH`` more first, the earliest in ``texts`` (the newest) first."""
    distinct = list(dict.fromkeys(texts))
    known = _vectors.known(distinct)
    fresh = [t for t in distinct if t not in known][:NEW_PER_SEARCH]
    if fresh:
        rows = list(embedder.embed(fresh))
        for row in rows:
            row.setflags(write=False)
        _vectors.keep(fresh, rows)
        known.update(zip(fresh, rows, strict=True))
    asked = embedder.embed_one(question)
    return {i: float(known[t] @ asked) for i, t in enumerate(texts) if t in known}


def _by_words(question: str, texts: Sequence[str], floor: float) -> list[Match]:
    """Texts sharing rare content words with the question, closest first."""
    asked = {stem for _, stem in content_stems(question)}
    if not asked:
        return []
    bags = [{stem for _, stem in content_stems(t)} for t in texts]
    seen = Counter(stem for bag in bags for stem in bag)
    weight = {stem: math.log(1 + len(texts) / (1 + seen[stem])) for stem in asked | set(seen)}
    asked_norm = math.sqrt(sum(weight[s] ** 2 for s in asked))
    found = []
    for index, bag in enumerate(bags):
        shared = asked & bag
        if not shared:
            continue
        norm = asked_norm * math.sqrt(sum(weight[s] ** 2 for s in bag))
        score = sum(weight[s] ** 2 for s in shared) / norm
        if score >= floor:
            found.append(Match(index, score))
    found.sort(key=lambda m: m.score, reverse=True)
    return found
