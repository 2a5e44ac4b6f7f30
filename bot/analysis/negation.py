"""Negation: which words cancel a cue, and how far back they reach.

A cue phrase ("failed", "copying Karpathy") is cancelled by a negation shortly before it in the
same clause ("nothing failed", "I did not copy Karpathy"), or by the writer rejecting it right
after ("Everyone is on diffusion; we are not"); a trend is also set aside by a word before it
("despite the hype", "ignoring the buzz"). Shared by the cue phrases
(``bot.analysis.cues``) and the semantic analyser, which lets a negated sentence match only an
example that is negated too.
"""

from __future__ import annotations

import re

__all__ = [
    "FOLD",
    "NEGATION_WINDOW",
    "REASON_NEGATION_WINDOW",
    "negated",
    "rejected_after",
    "says_no",
    "set_aside_before",
    "trend_set_aside_after",
    "word_set",
]

NEGATION_WINDOW = 4
"""How many words before a cue (within its clause) are searched for a negation."""

REASON_NEGATION_WINDOW = 10
"""The same for a cue that is a reason ("because Stanford used it"): a negation reaches it from
further back ("I didn't copy the CheXNet setup just because Stanford used it")."""

# Typographic quotes and dashes folded 1:1 so regex spans still index the original text.
FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2014": "-", "\u2013": "-"})


def word_set(text: str) -> frozenset[str]:
    """A word set written as whitespace-separated text (easier to read and extend)."""
    return frozenset(text.split())


# A negation only reaches back to the start of its clause.
_CLAUSE_BREAK = re.compile(
    r"[.;:!?,()\n\"]|\s-+\s|\b(?:but|however|though|although|whereas|while|and|so|then)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# Words that cancel a following cue ("nothing failed", "never hit a wall", "not copying X").
_NEGATORS = word_set(
    """
    not no never without nor neither nothing none nobody cannot refuse refused refusing
    dont doesnt didnt isnt wasnt werent wont cant couldnt wouldnt shouldnt havent hasnt hadnt
    arent
    """
)
# Words that set aside the trend named right after them: "despite the hype", "ignored the buzz".
# Not negations: "despite the crashed run" still reports a failure.
_DISMISSALS = word_set(
    """
    despite ignoring ignored ignore ignores resisted resisting resist resists regardless
    skipped skipping skip avoided avoiding avoid
    """
)
# ... and the only words that may stand between one and the trend ("regardless of all the hype"),
# so that "skipped our labelling to chase the trend" still counts.
_DISMISSAL_FILLERS = word_set("the a an all this that these those of so much")
# The writer names a trend or a failure only to set it aside: "everyone is on X; we are not",
# "... but that was a false alarm". Read from the end of the cue to the end of its sentence.
_REJECTION = re.compile(
    r"^[^.!?\n]{0,60}?(?:[;,:]|\b(?:but|and)\b)\s*"
    r"(?:(?:we|i)\s*(?:'re|'m|\s+are|\s+am|\s+were|\s+was)?\s*(?:not|n't)\b(?!\s+only)"
    r"|(?:we|i)\s+(?:ignored|ignore|resisted|skipped|passed\s+on)\b"
    r"|(?:that|it)\s+(?:was|turned\s+out\s+to\s+be)\s+a\s+false\s+alarm)",
    re.IGNORECASE,
)
# A trend is also set aside when the member checks it against their own work, keeps their own
# plan, or has a reason of their own: "... but I checked", "... so sticking with our VITS", "the
# 2-bit scheme everyone's talking about because our 4-bit model is too slow", "... as a
# baseline". Trends only: "the run tanked because my learning rate was off" is still a failure.
_TREND_SET_ASIDE = re.compile(
    r"^[^.!?\n]{0,60}?(?:[;,:]|\b(?:but|and)\b)\s*(?:so\s+)?"
    r"(?:(?:we|i)\s*(?:'re|'m|\s+are|\s+am)?\s+)?(?:checked|decided\s+against|stuck\s+with"
    r"|kept\s+(?:to\s+)?(?:our|my))"
    r"|^[^.!?\n]{0,160}?\b(?:(?:we|i)\s*(?:'re|'m|\s+are|\s+am)?\s+|so\s+)?(?:staying|sticking"
    r"|stay|stick)\s+with\b"
    r"|^[^.!?\n]{0,120}?\b(?:because|since)\s+(?:our|my)\b"
    r"|^[^.!?\n]{0,120}?\bas\s+(?:a|an|our)\s+(?:[\w-]+\s+)?(?:baseline|comparison|yardstick)\b"
    # "... hype, not worth it for our latency budget", "... thread and decided not to go there",
    # "... bandwagon noted and deliberately ignored"
    r"|^[^.!?\n]{0,60}?(?:[;,:]|\b(?:but|and)\b)\s*(?:(?:it'?s|it\s+is|that'?s)\s+)?not\s+"
    r"(?:worth\s+it|for\s+us)\b"
    r"|^[^.!?\n]{0,80}?\bdecided(?:,?\s+\w+ly,?)?\s+(?:not\s+to|against)\b"
    r"|^[^.!?\n]{0,40}?\b(?:noted|seen|read)\s+and\s+(?:\w+ly\s+)?"
    r"(?:ignored|skipped|parked|set\s+aside)\b",
    re.IGNORECASE,
)


def negated(text: str, start: int, window: int = NEGATION_WINDOW) -> bool:
    """True if a negation appears shortly before ``start`` within the same clause.

    Any negation counts within ``NEGATION_WINDOW`` words; further back, up to ``window``, only
    a negated verb does ("didn't copy X just because...", not "without evals, because...").
    """
    clause = _CLAUSE_BREAK.split(text[max(0, start - 200) : start])[-1]
    words = _WORD.findall(clause.lower())[-window:]
    near = len(words) - NEGATION_WINDOW
    return any(_negates_a_verb(w) or (i >= near and w in _NEGATORS) for i, w in enumerate(words))


def _negates_a_verb(word: str) -> bool:
    return word in ("not", "never") or word.endswith("n't")


def set_aside_before(text: str, start: int) -> bool:
    """True if a word setting a trend aside appears shortly before ``start`` in its clause.

    >>> text = "Despite the hype around agents, we kept labelling."
    >>> set_aside_before(text, text.index("hype"))
    True
    >>> text = "Skipped our labelling to chase the trend."
    >>> set_aside_before(text, text.index("chase"))
    False
    """
    clause = _CLAUSE_BREAK.split(text[max(0, start - 200) : start])[-1]
    words = _WORD.findall(clause.lower())[-NEGATION_WINDOW:]
    return any(
        word in _DISMISSALS and all(w in _DISMISSAL_FILLERS for w in words[i + 1 :])
        for i, word in enumerate(words)
    )


def trend_set_aside_after(text: str, end: int) -> bool:
    """True if the rest of the sentence after a trend cue sets the trend aside.

    >>> text = "Tried the decoder everyone's talking about because our latency is over budget."
    >>> trend_set_aside_after(text, text.index(" because"))
    True
    >>> text = "Everyone's switching to it, so I switched too."
    >>> trend_set_aside_after(text, len("Everyone's switching to"))
    False
    """
    return _TREND_SET_ASIDE.search(text[end : end + 200]) is not None


def rejected_after(text: str, end: int) -> bool:
    """True if the writer sets the cue ending at ``end`` aside in the rest of its sentence.

    >>> text = "Everyone is excited about LLMs; we are not, and kept labelling."
    >>> rejected_after(text, len("Everyone is excited about"))
    True
    """
    return _REJECTION.search(text[end : end + 200]) is not None


def says_no(text: str) -> bool:
    """Whether ``text`` contains a negation ("not", "never", "no", "didn't", "refuse", ...)."""
    words = _WORD.findall(text.translate(FOLD).lower())
    return any(w in _NEGATORS or w.endswith("n't") for w in words)
