"""Rules-based analysis of a check-in: goal alignment plus the nudge signals.

Pure functions over strings: no I/O, no network, no models. The semantic analyser
(``bot.analysis.semantic``) builds on these rules and returns the same ``Signals``; these rules
alone are the fallback when the embedded model cannot load, and the baseline it is measured
against (``research-coach analyze --eval``).

How it works:

- *Goal alignment* is lexical: content words (lowercased, stop words removed, crudely stemmed) of
  the update and the "how does this move your goal" answer are matched against the goal's. A
  meaningful answer to that question is strong evidence on its own; the two are combined as a
  noisy-or so either can carry alignment. A measured change ("from 41% to 47%") adds to it; work
  said to be for someone else ("for the marketing team") or away from the goal ("instead of")
  (``bot.analysis.goal_cues``), or idea-driven, takes most of it away.
- *Role-model mimicry*, *idea-driven* and *failure* are cue phrases (``bot.analysis.cues``,
  ``bot.analysis.idea_cues``, ``bot.analysis.failure_cues``),
  cancelled by a negation shortly before them in their clause (``bot.analysis.negation``).

The rules favour precision over recall: a missed nudge costs less than a wrong one.
"""

from __future__ import annotations

import re

from bot.analysis.cues import ROLE_MODEL_CUES, find_cue, phrase
from bot.analysis.failure_cues import FAILURE_CUES
from bot.analysis.goal_cues import elsewhere_phrases, shows_progress
from bot.analysis.idea_cues import IDEA_CUES
from bot.analysis.negation import FOLD, NEGATION_WINDOW, says_no, word_set
from bot.analysis.signals import ALIGNED_THRESHOLD, Signals

__all__ = [
    "ELSEWHERE_FACTOR",
    "LEXICAL_SATURATION",
    "MOVES_GOAL_WEIGHT",
    "NEGATION_WINDOW",
    "PROGRESS_WEIGHT",
    "analyze",
    "elsewhere",
    "failed_field_says_failure",
    "lexical_alignment",
    "moves_goal_strength",
    "phrase",
    "says_no",
]

MOVES_GOAL_WEIGHT = 0.6
"""Alignment a meaningful "how does this move your goal" answer gives on its own (> threshold)."""

LEXICAL_SATURATION = 3
"""Shared goal words needed for full lexical alignment (fewer if the goal has fewer words)."""

PROGRESS_WEIGHT = 0.5
"""Alignment a measured change ("from 41% to 47%") gives on its own: in a check-in, a number
that moved is nearly always the goal's."""

ELSEWHERE_FACTOR = 0.4
"""What is left of alignment when the work was for someone else, away from the goal, or
idea-driven."""

# ---------------------------------------------------------------------------------------------
# Words


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
    aren couldn didn doesn don hadn hasn haven isn mustn shouldn wasn weren won wouldn
    yes yeah yep ok okay sure maybe probably idk dunno tbd nothing none nope nah
    today yesterday tomorrow week weeks weekend day days month months time times
    work worked working works stuff bit lot lots part parts step steps
    goal goals metric metrics number numbers move moves moved moving help helps helped helping
    improve improved improves improving improvement better best good bad great nice
    try tried trying tries did doing started start finish finished continue continued
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

# Word characters for alignment; hyphens and apostrophes split ("clinic-test" -> clinic, test).
_TOKEN = re.compile(r"[a-z0-9]+")


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


def _content_words(text: str) -> list[tuple[str, str]]:
    """(surface, stem) for each content word of ``text``, in order."""
    out: list[tuple[str, str]] = []
    for token in _TOKEN.findall(text.translate(FOLD).lower()):
        if len(token) < 2 or token.isdigit() or token in _STOP_WORDS:
            continue
        stem = _stem(token)
        if stem != token and stem in _STOP_STEMS:
            continue  # an inflected stop word ("improvements"), but keep "wer" despite "were"
        out.append((token, stem))
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


# A "how does this move your goal" answer that says it does not (weakens the answer).
_MOVES_GOAL_DENIAL = re.compile(
    r"^\W*(?:it\s+)?(?:does\s*n[o']?t|doesnt|won'?t|will\s+not|is\s*n[o']?t|no\b|nothing\b"
    r"|not\s+(?:really|directly|much|at\s+all|sure))"
    r"|\b(?:unrelated|not\s+(?:tied|related|connected|relevant)|no\s+(?:direct\s+)?(?:link"
    r"|connection|relation)|side\s+(?:quest|project|idea)|tangent|just\s+(?:for\s+fun|curious"
    r"|curiosity))\b",
    re.IGNORECASE,
)
_DENIAL_FACTOR = 0.3

# Words a "what failed" answer may consist of and still mean "nothing failed".
_NO_FAILURE_WORDS = word_set(
    """
    no nope nah none nothing nil nada zero n/a na not n a all everything
    failed fail failure failures dropped drop was were is has been that this so far yet really
    major significant much to report here i we know of didn t this week time sprint month today
    thankfully luckily just and or good fine ok okay worked went well smooth smoothly
    """
)
# ... and of those, the words that actually say so ("everything failed" does not).
_NO_FAILURE_MARKERS = word_set(
    "no nope nah none nothing nil nada zero n/a na not good fine ok okay worked well"
)
_FAILED_TOKEN = re.compile(r"[a-z0-9/]+")


# ---------------------------------------------------------------------------------------------
# Helpers


def _moves_goal_strength(moves_goal: str) -> float:
    """0..1: how much the "how does this move your goal" answer says it does."""
    content = _content_words(moves_goal)
    strength = 1.0 if len(content) >= 2 else 0.5 if content else 0.0
    if strength and _MOVES_GOAL_DENIAL.search(moves_goal.translate(FOLD)):
        strength *= _DENIAL_FACTOR
    return strength


def _failed_field_says_failure(failed: str) -> bool:
    """Whether the "anything that failed or was dropped" answer names something."""
    tokens = _FAILED_TOKEN.findall(failed.translate(FOLD).lower())
    if not tokens:
        return False
    if all(t in _NO_FAILURE_WORDS for t in tokens):
        return not any(t in _NO_FAILURE_MARKERS for t in tokens)
    return True


def _shared_goal_words(goal_stems: set[str], text: str) -> tuple[set[str], list[str]]:
    """The goal stems ``text`` matches, and the words of ``text`` that match them."""
    shared: list[str] = []
    matched: set[str] = set()
    for surface, stem in _content_words(text):
        hits = {g for g in goal_stems if _stems_match(g, stem)}
        if hits:
            matched |= hits
            if surface not in shared:
                shared.append(surface)
    return matched, shared


def _lexical(goal_stems: set[str], text: str) -> tuple[float, list[str]]:
    matched, shared = _shared_goal_words(goal_stems, text)
    return min(1.0, len(matched) / min(len(goal_stems), LEXICAL_SATURATION)), shared


def _alignment(
    goal: str | None, update: str, moves_goal: str, idea_driven: bool
) -> tuple[float, str]:
    """Goal alignment in [0, 1] and the phrase that supports it."""
    goal_stems = {stem for _, stem in _content_words(goal or "")}
    if not goal_stems:
        return 0.0, ""
    lexical, shared = _lexical(goal_stems, update + "\n" + moves_goal)
    answer = _moves_goal_strength(moves_goal)
    progress = PROGRESS_WEIGHT if shows_progress(update) else 0.0
    score = 1.0 - (1.0 - lexical) * (1.0 - MOVES_GOAL_WEIGHT * answer) * (1.0 - progress)
    # Work for someone else, or whose direction came from a paper or a trend, is not visibly
    # the goal's even when it shares the goal's words.
    if idea_driven or elsewhere(goal, update) is not None:
        score *= ELSEWHERE_FACTOR
    score = round(min(1.0, max(0.0, score)), 4)
    if answer >= 0.5 and (MOVES_GOAL_WEIGHT * answer >= lexical or not shared):
        why = phrase(moves_goal)
    else:
        why = ", ".join(shared[:5])
    return score, why


def elsewhere(goal: str | None, update: str) -> str | None:
    """The phrase saying the work was for someone else or away from the goal, or None.

    A phrase that names the goal's own words ("for the clinic team" under a clinic goal) does
    not count: that is the goal's own beneficiary.

    >>> elsewhere("Transcribe clinic audio; WER", "Tuned a denoiser for the video-call team.")
    'for the video-call team'
    >>> elsewhere("Transcribe clinic audio; WER", "Fixed the labels for the clinic team.") is None
    True
    """
    goal_stems = {stem for _, stem in _content_words(goal or "")}
    for found in elsewhere_phrases(update):
        if not _shared_goal_words(goal_stems, found)[0]:
            return phrase(found)
    return None


def lexical_alignment(goal: str | None, text: str) -> float:
    """0..1: how many of the goal's content words ``text`` shares (nothing else counts)."""
    goal_stems = {stem for _, stem in _content_words(goal or "")}
    return _lexical(goal_stems, text)[0] if goal_stems else 0.0


def moves_goal_strength(moves_goal: str) -> float:
    """0..1: how much the "how does this move your goal" answer says it does."""
    return _moves_goal_strength(moves_goal)


def failed_field_says_failure(failed: str) -> bool:
    """Whether the "anything that failed or was dropped" answer names something."""
    return _failed_field_says_failure(failed)


# ---------------------------------------------------------------------------------------------
# Entry point


def analyze(goal: str | None, update: str, *, moves_goal: str = "", failed: str = "") -> Signals:
    """Analyse one check-in with rules and return its ``Signals``.

    ``goal`` is the goal's capability and metric name joined (None if the member has none),
    ``update`` what they did, ``moves_goal`` their answer to "how does this move your goal" and
    ``failed`` their answer to "anything that failed or was dropped".

    >>> s = analyze("Transcribe noisy clinic audio; clinic WER",
    ...             "Fine-tuned on noisy clinic audio, like Karpathy does; the LM run tanked",
    ...             failed="nothing")
    >>> s.aligned, s.role_model_mimicry, s.idea_driven, s.failure
    (True, True, False, True)
    >>> s.evidence["failure"]
    'tanked'
    """
    texts = (update, moves_goal)
    role_model = find_cue(texts, ROLE_MODEL_CUES)
    idea = find_cue(texts, IDEA_CUES, dismissible=True)
    alignment, why_aligned = _alignment(goal, update, moves_goal, idea is not None)
    failure = phrase(failed) if _failed_field_says_failure(failed) else None
    if failure is None:
        failure = find_cue(texts, FAILURE_CUES)

    aligned = alignment >= ALIGNED_THRESHOLD
    evidence: dict[str, str] = {}
    if aligned and why_aligned:
        evidence["aligned"] = why_aligned
    if role_model is not None:
        evidence["role_model_mimicry"] = role_model
    if idea is not None:
        evidence["idea_driven"] = idea
    if failure is not None:
        evidence["failure"] = failure
    return Signals(
        goal_alignment=alignment,
        aligned=aligned,
        role_model_mimicry=role_model is not None,
        idea_driven=idea is not None,
        failure=failure is not None,
        evidence=evidence,
    )
