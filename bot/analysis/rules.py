"""The rules-only analyser: the cue phrases and shared words, no model.

Pure functions over strings: no I/O, no network, no models. It is the fallback when the
embedded model cannot load, and the baseline the model is measured against (``research-coach
analyze --eval``). It gathers ``Clues`` and leaves the decision to
``bot.analysis.judgement.decide``, like the embedded analyser:

- *the words*: ``bot.analysis.reading`` (cue phrases of ``prompts/cues/``);
- *text alignment*: the goal's content words (lowercased, stop words removed, crudely stemmed)
  found in the update and the "how does this move your goal" answer, and a measured change
  ("from 41% to 47%"); work for someone else or driven by a trend keeps little of it;
- *history fit*: how many of the update's words the member used in earlier on-goal updates;
- *feedback*: an update sharing most of its words with one whose nudge the member marked
  unhelpful does not get that nudge again.
"""

from __future__ import annotations

import re

from bot.analysis.evidence import Evidence
from bot.analysis.judgement import Clues, decide
from bot.analysis.phrases import cached_tokens, word_set
from bot.analysis.reading import EVIDENCE_CHARS, TextReading, read_text
from bot.analysis.signals import Signals

__all__ = [
    "ELSEWHERE_FACTOR",
    "LEXICAL_SATURATION",
    "NEAR_UNHELPFUL",
    "PROGRESS_WEIGHT",
    "analyze",
    "analyze_evidence",
    "analyze_overlap",
    "content_stems",
    "lexical_alignment",
    "phrase",
]

LEXICAL_SATURATION = 3
"""Shared goal words needed for full lexical alignment (fewer if the goal has fewer words)."""

PROGRESS_WEIGHT = 0.5
"""Alignment a measured change ("from 41% to 47%") gives on its own."""

ELSEWHERE_FACTOR = 0.4
"""What is left of alignment when the work was for someone else or driven by a trend."""

NEAR_UNHELPFUL = 0.5
"""Share of words an update must have in common with one whose nudge the member marked
unhelpful for that nudge to stay unsaid."""

HISTORY_SATURATION = 3  # words shared with earlier updates for a full history fit

# Function words and research filler: overlap on these says nothing about serving a goal.
_STOP_WORDS = word_set(
    """
    a about above after again against all almost also although always am among an and any
    anything are around as at be because been before being below between both but by can cannot
    could d did do does doing done down during each either else enough etc even ever every few
    for from further get gets getting got had has have having he her here hers herself him
    himself his how however i if in into is it its itself just least less let like ll m made
    make makes making many may me might mine more most much must my myself need needs new next
    no nor not now of off often on once one only onto or other others our ours ourselves out
    over own per quite rather re really s same see seems she should since so some something
    still such t than that the their theirs them themselves then there these they thing things
    this those though through thus to too toward towards under until up upon us use used uses
    using ve very via was way we well were what when where whether which while who whom whose
    why will with within without would yet you your yours yourself
    yes yeah yep ok okay sure maybe probably idk dunno tbd nothing none nope nah
    today yesterday tomorrow week weeks weekend day days month months time times
    work worked working works stuff bit lot lots part parts step steps
    goal goals metric metrics number numbers move moves moved moving help helps helped helping
    improve improved improves improving improvement better best good bad great nice
    try tried trying tries started start finish finished continue continued
    model models data experiment experiments result results run runs ran paper papers
    directly indirectly basically hopefully definitely eventually mostly overall
    """
)

# Endings stripped (first match only) so "recognizers"/"recognition"/"recognize" line up.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("izations", ""),
    ("ization", ""),
    ("ational", "ate"),
    ("ations", ""),
    ("ation", ""),
    ("ements", ""),
    ("ement", ""),
    ("ments", ""),
    ("ment", ""),
    ("ness", ""),
    ("ities", ""),
    ("ity", ""),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ers", ""),
    ("er", ""),
    ("ed", ""),
    ("es", ""),
    ("ly", ""),
    ("s", ""),
)
_MIN_STEM = 3
_WORD = re.compile(r"[a-z0-9]+")  # a plain character class: linear on any input


def _stem(word: str) -> str:
    """Strip one common English ending, a doubled final consonant and a final "e"."""
    for suffix, replacement in _SUFFIXES:
        if suffix == "ed" and word.endswith("eed"):
            continue  # need, speed, exceed
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > _MIN_STEM and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    if len(word) > _MIN_STEM and word.endswith("e"):
        word = word[:-1]
    return word


_STOP_STEMS = frozenset(_stem(w) for w in _STOP_WORDS)


def content_stems(text: str) -> list[tuple[str, str]]:
    """(surface, stem) for each content word of ``text``, in order."""
    out: list[tuple[str, str]] = []
    for token in cached_tokens(text):
        for word in _WORD.findall(token.text):
            if len(word) < 2 or word.isdigit() or word in _STOP_WORDS:
                continue
            stem = _stem(word)
            if stem != word and stem in _STOP_STEMS:
                continue  # an inflected stop word ("improvements"), but keep "wer"
            out.append((word, stem))
    return out


def _stems_match(a: str, b: str) -> bool:
    """Equal stems, or long stems that differ only in their last letter or two."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    if shorter < 5:
        return False
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= max(5, shorter - 1)


def _shared(stems: set[str], text: str) -> tuple[set[str], list[str]]:
    """The ``stems`` that ``text`` matches, and the words of ``text`` that match them."""
    shared: list[str] = []
    matched: set[str] = set()
    for surface, stem in content_stems(text):
        hits = {g for g in stems if _stems_match(g, stem)}
        if hits:
            matched |= hits
            if surface not in shared:
                shared.append(surface)
    return matched, shared


def lexical_alignment(goal: str | None, text: str) -> float:
    """0..1: how many of the goal's content words ``text`` shares (nothing else counts)."""
    stems = {stem for _, stem in content_stems(goal or "")}
    if not stems:
        return 0.0
    return min(1.0, len(_shared(stems, text)[0]) / min(len(stems), LEXICAL_SATURATION))


def phrase(text: str) -> str:
    """Whitespace-collapsed, length-capped phrase for ``Signals.evidence``."""
    collapsed = " ".join(text.split())
    if len(collapsed) <= EVIDENCE_CHARS:
        return collapsed
    return collapsed[: EVIDENCE_CHARS - 1].rstrip() + "…"


def _in_common(text: str, others: tuple[str, ...]) -> tuple[int, int]:
    """How many of ``text``'s content words ``others`` use too, and how many it has."""
    mine = {stem for _, stem in content_stems(text)}
    theirs = {stem for other in others for _, stem in content_stems(other)}
    return len(mine & theirs), len(mine)


def _overlap(text: str, others: tuple[str, ...]) -> float:
    """The share of ``text``'s content words found in ``others`` (0 when it has none)."""
    shared, total = _in_common(text, others)
    return shared / total if total else 0.0


def analyze_overlap(text: str, other: str) -> float:
    """The share of ``text``'s content words that ``other`` uses too."""
    return _overlap(text, (other,))


def text_alignment(goal: str | None, update: str, words: TextReading) -> tuple[float, str]:
    """The words' alignment in [0, 1] and the words that show it."""
    stems = {stem for _, stem in content_stems(goal or "")}
    if not stems:
        return 0.0, ""
    matched, shared = _shared(stems, update)
    lexical = min(1.0, len(matched) / min(len(stems), LEXICAL_SATURATION))
    progress = PROGRESS_WEIGHT if words.progress else 0.0
    score = 1.0 - (1.0 - lexical) * (1.0 - progress)
    if words.elsewhere is not None or words.trend is not None:
        score *= ELSEWHERE_FACTOR
    return score, ", ".join(shared[:5])


def clues(evidence: Evidence) -> Clues:
    """What the rules gather about one check-in."""
    words = read_text(evidence.goal, evidence.update, evidence.moves_goal, evidence.failed)
    alignment, why = text_alignment(evidence.goal, evidence.update, words)
    in_history, _ = _in_common(evidence.update, evidence.vocabulary)
    near = frozenset(
        f.nudge_id
        for f in evidence.unhelpful
        if _overlap(evidence.update, (f.update,)) >= NEAR_UNHELPFUL
    )
    return Clues(
        words=words,
        text_alignment=alignment,
        history_fit=min(1.0, in_history / HISTORY_SATURATION),
        near_unhelpful=near,
        aligned_phrase=why,
    )


def analyze_evidence(evidence: Evidence) -> Signals:
    """The rules' verdict on one check-in (``decide`` on the rules' clues)."""
    return decide(evidence, clues(evidence))


def analyze(goal: str | None, update: str, *, moves_goal: str = "", failed: str = "") -> Signals:
    """Analyse one check-in's text with rules and return its ``Signals``.

    >>> s = analyze("Transcribe noisy clinic audio; clinic WER",
    ...             "Fine-tuned on noisy clinic audio, like Karpathy does; the LM run tanked",
    ...             failed="nothing")
    >>> s.aligned, s.role_model_mimicry, s.idea_driven, s.failure, s.failure_scope
    (True, True, False, True, 'setback')
    """
    return analyze_evidence(Evidence(goal, update, moves_goal=moves_goal, failed=failed))
