"""What the words of one check-in say, read with the cue phrases of ``prompts/cues/``.

``read_text(goal, update, moves_goal, failed)`` returns a ``TextReading``: each cue that fired
and was not set aside, with the phrase that fired it. How a cue is set aside:

- a negation shortly before it in its clause ("no NaNs this time", "not because DeepMind does
  it"), or a hedge ("to avoid divergence", "if it diverges");
- a failure cue of a setback, when the update says it was fixed: right before it in its clause
  ("fixed the NaN") or anywhere after it ("it diverged, I lowered the LR, it converged"), with
  no other setback after the fix;
- a strong idea-driven cue, when the member gives a reason of their own in the same sentence
  ("... because our sequences are 100k tokens", "as a baseline", "despite the hype").

Weeks away (sick, holiday, a conference) count only when little else is said; an update with
fewer than two words of substance is content-free.

>>> r = read_text(None, "it diverged, I lowered the LR, it converged")
>>> r.failure is None, r.resolved
(True, 'diverged')
>>> read_text(None, "loss still NaN after warmup").failure.key
'diverged'
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from bot.analysis.cuebook import CueBook, cue_book
from bot.analysis.phrases import CLAUSE_ENDS, SENTENCE_ENDS, Match, Token, cached_tokens

__all__ = [
    "AWAY_CONTENT_WORDS",
    "Hit",
    "TextReading",
    "content_words",
    "negated",
    "read_text",
]

NEGATION_WINDOW = 4  # words before a cue searched for a negation or a hedge
REASON_NEGATION_WINDOW = 10  # "I didn't pick it just because DeepMind uses it"
AWAY_CONTENT_WORDS = 6  # words of substance outside the away clauses that make it a work week
EVIDENCE_CHARS = 80


@dataclass(frozen=True)
class Hit:
    """A cue that fired: its signal file, its key, and the words that fired it."""

    signal: str
    key: str
    phrase: str


@dataclass(frozen=True)
class TextReading:
    failure: Hit | None = None  # the first failure not set aside
    dropped: bool = False  # a project, direction or idea was dropped (failure of `project` scope)
    resolved: str = ""  # a setback fixed within the update ("diverged"), for the record
    imitation: Hit | None = None  # imitation given as the reason
    trend: Hit | None = None  # a paper, trend or race as the reason (strong idea-driven cue)
    trend_mention: Hit | None = None  # a trend only mentioned (weak cue)
    own_reason: bool = False  # the member gives a reason of their own
    away: Hit | None = None  # a week mostly away from research
    content_free: bool = False
    elsewhere: Hit | None = None  # work for someone else or away from the goal
    off_goal: Hit | None = None  # the member says the week did not touch the goal
    progress: bool = False  # a measured change


def _phrase(text: str, match: Match) -> str:
    words = " ".join(text[match.start : match.end].split())
    return words if len(words) <= EVIDENCE_CHARS else words[: EVIDENCE_CHARS - 1] + "…"


def _before(tokens: Sequence[Token], first: int, window: int, book: CueBook) -> list[str]:
    """The words before ``tokens[first]`` in its clause, nearest first, at most ``window``."""
    out: list[str] = []
    for token in reversed(tokens[max(0, first - window) : first]):
        if token.text in CLAUSE_ENDS or token.text in book.words.clause_words:
            break
        out.append(token.text)
    return out


def _negated(tokens: Sequence[Token], match: Match, book: CueBook, hedged: bool = True) -> bool:
    words = _before(tokens, match.first, NEGATION_WINDOW, book)
    if any(w in book.words.negators for w in words):
        return True
    # A cue that starts with its own negation ("not converging") is not hedged by "could".
    own_negation = tokens[match.first].text in book.words.negators
    if hedged and not own_negation and any(w in book.words.hedges for w in words):
        return True
    if tokens[match.first].text in ("because", "since", "bc", "cause", "cuz", "b/c"):
        far = _before(tokens, match.first, REASON_NEGATION_WINDOW, book)
        return any(w in ("not", "never") for w in far)
    return False


def negated(tokens: Sequence[Token], match: Match, book: CueBook) -> bool:
    """Whether a negation shortly before ``match`` sets it aside (hedges do not)."""
    return _negated(tokens, match, book, hedged=False)


def content_words(tokens: Sequence[Token], book: CueBook | None = None) -> list[str]:
    """The words that say something: not filler, not punctuation, not negations."""
    words = (book or cue_book()).words
    return [
        t.text
        for t in tokens
        if t.text[:1].isalnum() and t.text not in words.filler and t.text not in words.negators
    ]


class _Sentences:
    """Where the sentence of each word starts and ends, found in one pass over the words (a
    scan per match took a square of the text's length on one long sentence of cues)."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        ends = [t.text in SENTENCE_ENDS for t in tokens]
        self.starts = [0] * len(tokens)
        for i in range(1, len(tokens)):
            self.starts[i] = i if ends[i - 1] else self.starts[i - 1]
        self.ends = [len(tokens)] * (len(tokens) + 1)
        for i in range(len(tokens) - 1, -1, -1):
            self.ends[i] = i if ends[i] else self.ends[i + 1]

    def of(self, index: int) -> tuple[int, int]:
        """The sentence of word ``index``: its first word, and the index of its end mark (or
        of the end of the text)."""
        return self.starts[index], self.ends[index]


def _failure(
    text: str, tokens: Sequence[Token], book: CueBook, goal_words: frozenset[str] = frozenset()
) -> tuple[Hit | None, bool, str]:
    """The first failure not set aside, whether it was a project's, and a setback fixed. A cue
    made of the goal's own words ("deadlocks" when the goal is to avoid them) is its metric
    being reported, not a failure."""
    cues = book.signal("failure")
    fixes = [
        m
        for m in book.signal("resolved").find(tokens)
        if not _negated(tokens, m, book, hedged=False)
        and not any(w in book.words.resolution_hedges for w in _before(tokens, m.first, 3, book))
    ]
    found = [
        m
        for m in cues.find(tokens)
        if not _negated(tokens, m, book)
        and not any(t.text in goal_words for t in tokens[m.first : m.last + 1])
    ]
    resolved = ""
    standing: list[Match] = []
    # For each match, the first word of the last setback after it (-1: none), one pass back.
    latest = [-1] * len(found)
    for index in range(len(found) - 2, -1, -1):
        after = found[index + 1]
        setback = cues.cue(after.key).scope == "setback"
        latest[index] = max(latest[index + 1], after.first if setback else -1)
    for index, match in enumerate(found):
        cue = cues.cue(match.key)
        if cue.scope == "setback":
            fixed_before = any(
                f.key == "fixed"
                and f.key in cue.resolved_by
                and f.last < match.first
                and len(_before(tokens, match.first, NEGATION_WINDOW + 1, book))
                >= match.first - f.last - 1
                for f in fixes
            )
            fixed_after = any(
                f.first > match.last and f.key in cue.resolved_by and latest[index] <= f.last
                for f in fixes
            )
            if fixed_before or fixed_after:
                resolved = resolved or match.key
                continue
        standing.append(match)
    if not standing:
        return None, False, resolved
    # A dropped project, direction or idea is what the reply should speak to first.
    dropped = [m for m in standing if cues.cue(m.key).scope == "project"]
    first = (dropped or standing)[0]
    return Hit("failure", first.key, _phrase(text, first)), bool(dropped), resolved


def _together(text: str, first: Match, second: Match) -> Hit:
    """One hit from two parts that fire only together."""
    return Hit("", f"{first.key}+{second.key}", f"{_phrase(text, first)} … {_phrase(text, second)}")


def _imitation(text: str, tokens: Sequence[Token], book: CueBook) -> Hit | None:
    """Imitation as the reason: a cue that says so, or an authority and, in its sentence or the
    next, a deference to it (a famous authority and an untested adoption will do)."""
    cues = book.signal("role_model_mimicry")
    found = [m for m in cues.find(tokens) if not _negated(tokens, m, book, hedged=False)]
    whole = next((m for m in found if cues.cue(m.key).part is None), None)
    if whole is not None:
        return Hit("role_model_mimicry", whole.key, _phrase(text, whole))
    sentences = _Sentences(tokens)
    for who in (m for m in found if cues.cue(m.key).part == "authority"):
        start, end = sentences.of(who.first)
        end = sentences.of(min(end + 1, len(tokens) - 1))[1]  # and the next sentence
        near = [m for m in found if start <= m.first < end]
        deference = [m for m in near if cues.cue(m.key).part == "deference"]
        untested = [m for m in near if cues.cue(m.key).part == "untested"]
        # A famous name and an untested adoption will do; any other authority needs two
        # untested marks ("their settings verbatim ... didn't ablate"), one alone being how
        # a tool is often used as released.
        if deference or (untested and who.key == "famous") or len(untested) >= 2:
            hit = _together(text, who, (deference or untested)[0])
            return Hit("role_model_mimicry", hit.key, hit.phrase)
    return None


def _idea(
    text: str, tokens: Sequence[Token], book: CueBook, own: list[Match]
) -> tuple[Hit | None, Hit | None]:
    """A paper, trend or race as the reason (strong), or a trend only mentioned (weak). As
    strong as a reason: a trigger (the crowd, hype) and then "so I ..." in one sentence, with no
    reason of the member's own there; a trigger or an event (a release, a leaderboard) and a
    detour from the goal anywhere in the update."""
    cues = book.signal("idea_driven")
    strong: Hit | None = None
    weak: Hit | None = None
    # Hedges do not set a trend aside: "hoping for a quick paper" is the reason itself.
    found = [m for m in cues.find(tokens) if not _negated(tokens, m, book, hedged=False)]

    sentences = _Sentences(tokens)
    own_firsts = sorted(m.first for m in own)

    def part(name: str) -> list[Match]:
        return [m for m in found if cues.cue(m.key).part == name]

    def own_between(start: int, end: int) -> bool:
        """Whether a reason of the member's own starts at a word in ``start``..``end - 1``."""
        at = bisect_left(own_firsts, start)
        return at < len(own_firsts) and own_firsts[at] < end

    def mine(match: Match) -> bool:
        """A reason of the member's own, or a measured change, in the sentence of ``match``
        or the next ("so I tried it on our notes. Strict F1 0.874, +3 points")."""
        start, end = sentences.of(match.first)
        end = sentences.of(min(end + 1, len(tokens) - 1))[1]
        return own_between(start, end)

    triggers, detours = part("trigger"), part("detour")
    sources = [m for m in triggers or part("event") if not mine(m)]
    if sources and any(not mine(d) for d in detours):
        hit = _together(text, sources[0], next(d for d in detours if not mine(d)))
        strong = Hit("idea_driven", hit.key, hit.phrase)
    # "Many talks were about LLM agents. Our director wants that we also try it.": the crowd
    # and someone above who wants in, in one sentence or two in a row.
    pressure = [m for m in part("pressure") if not mine(m)]
    for trigger in triggers:
        if strong is not None:
            break
        if mine(trigger):
            continue
        start, end = sentences.of(trigger.first)
        before = sentences.of(start - 1)[0] if start > 0 else start
        after = sentences.of(min(end + 1, len(tokens) - 1))[1]
        near = next((m for m in pressure if before <= m.first <= after), None)
        if near is not None:
            hit = _together(text, trigger, near)
            strong = Hit("idea_driven", hit.key, hit.phrase)
    consequences = part("consequence")
    for trigger in triggers:  # "the whole field is on X, so I started one too"
        _, end = sentences.of(trigger.first)
        # "... 'when everyone does open-vocab now'. so spent the week on it": the consequence
        # may open the next sentence.
        if end + 1 < len(tokens) and tokens[end + 1].text in ("so", "and"):
            end = sentences.of(end + 1)[1]
        then = [m for m in consequences if trigger.last < m.first < end]
        if then and not mine(trigger) and strong is None:
            hit = _together(text, trigger, then[0])
            strong = Hit("idea_driven", hit.key, hit.phrase)
    for match in found:
        if cues.cue(match.key).part is not None:
            continue
        hit = Hit("idea_driven", match.key, _phrase(text, match))
        if cues.cue(match.key).strength == "weak":
            weak = weak or hit
            continue
        sentence = sentences.of(match.first)
        # A race is its own reason: "reproduce it on our data so we submit before they do".
        set_aside = match.key != "race" and own_between(sentence[0], sentence[1] + 1)
        if set_aside:
            weak = weak or hit
        else:
            strong = strong or hit
    return strong, weak


def _follows(sentences: _Sentences, match: Match, ends: set[int]) -> bool:
    """Whether ``match`` is in the sentence right after one ending at an index in ``ends``."""
    start, _ = sentences.of(match.first)
    return start - 1 in ends


def _away(text: str, tokens: Sequence[Token], book: CueBook) -> Hit | None:
    cues = book.signal("away")
    found = [
        m
        for m in cues.find(tokens)
        if not _negated(tokens, m, book, hedged=cues.cue(m.key).part != "idle")
    ]
    idle = [m for m in found if cues.cue(m.key).part == "idle"]
    found = [m for m in found if cues.cue(m.key).part is None]
    if not found:
        return None
    # "... conference all week. Talked to people, but nothing actually done."
    bounds = _Sentences(tokens)
    sentences = {bounds.of(m.first)[1] for m in found}
    if any(bounds.of(i.first)[1] in sentences or _follows(bounds, i, sentences) for i in idle):
        return Hit("away", found[0].key, _phrase(text, found[0]))
    # Clauses with an away cue say why; what the other clauses say is the week's work.
    other: list[Token] = []
    clause: list[Token] = []
    clause_has_cue = False
    covered = {index for m in found for index in range(m.first, m.last + 1)}
    for index, token in enumerate([*tokens, Token(".", len(text), len(text))]):
        if token.text in CLAUSE_ENDS or token.text in book.words.clause_words:
            if not clause_has_cue:
                other += clause
            clause, clause_has_cue = [], False
            continue
        clause.append(token)
        clause_has_cue = clause_has_cue or index in covered
    if len(content_words(other, book)) > AWAY_CONTENT_WORDS:
        return None
    return Hit("away", found[0].key, _phrase(text, found[0]))


def read_text(goal: str | None, update: str, moves_goal: str = "", failed: str = "") -> TextReading:
    """Read one check-in's words (the goal only decides whether work is for someone else)."""
    book = cue_book()
    tokens = list(cached_tokens(update))
    both = list(cached_tokens(update + "\n" + moves_goal)) if moves_goal else tokens
    goal_words = frozenset(content_words(cached_tokens(goal or ""), book))
    failure, dropped, resolved = _failure(update, tokens, book, goal_words)
    if failed.strip() and not _says_nothing(failed, book):
        # The member's own answer: it names a failure the update may not, and its scope.
        said, dropped_said, fixed = _failure(failed, list(cached_tokens(failed)), book)
        dropped = dropped or dropped_said
        if failure is None:
            failure = said
            # "the tokenizer thing" names something that failed; "numeral mangling, fixed" a
            # hiccup the member fixed; "no spikes through 30k" nothing.
            if said is None and not fixed and not _fixed_or_none(failed, book):
                failure = Hit("failure", "failed_field", " ".join(failed.split())[:EVIDENCE_CHARS])
    imitation = _imitation(update, tokens, book)
    own = [m for m in book.signal("own_reason").find(both) if not _negated(both, m, book, False)]
    measured = [
        m for m in book.signal("progress").find(tokens) if not _negated(tokens, m, book, False)
    ]
    # A measured change on the member's own number sets a trend aside like a reason does
    # ("... so I tried it with our docking reward: hit rate 0.13").
    trend, mention = _idea(update, tokens, book, [*own, *measured])
    away_from = [
        Hit("elsewhere", m.key, _phrase(update, m))
        for m in book.signal("elsewhere").find(tokens)
        if not _negated(tokens, m, book, hedged=False)
        and not goal_words & set(content_words(tokens[m.first : m.last + 2], book))
    ]
    elsewhere = next(iter(away_from), None)
    off_goal = next((h for h in away_from if h.key == "no_goal_work"), None)
    away = _away(update, tokens, book)
    return TextReading(
        failure=failure,
        dropped=dropped,
        resolved=resolved,
        imitation=imitation,
        trend=trend,
        trend_mention=mention,
        own_reason=bool(own),
        away=away,
        content_free=away is None and len(content_words(tokens, book)) < 2,
        elsewhere=elsewhere,
        off_goal=off_goal,
        progress=bool(measured),
    )


def _fixed_or_none(answer: str, book: CueBook) -> bool:
    """Whether a "what failed" answer with no failure cue says it was fixed ("class id bug,
    fixed"; "OOM fixed with batching") or opens with no ("None, pipeline ran clean"; "Nothing
    broke this week")."""
    tokens = list(cached_tokens(answer))
    words = [t.text for t in tokens if t.text[:1].isalnum()]
    if words and words[0] in _OPENS_WITH_NO:
        return True
    return any(not negated(tokens, m, book) for m in book.signal("resolved").find(tokens))


# How an answer that means "nothing failed" opens ("not great, the loader" does not).
_OPENS_WITH_NO = frozenset({"no", "none", "nothing", "nope", "nah", "nil", "zero", "n/a", "na"})


def _says_nothing(answer: str, book: CueBook) -> bool:
    """Whether a "what failed" answer means "nothing" ("no", "n/a", "nothing major so far")."""
    words = [t.text for t in cached_tokens(answer) if t.text[:1].isalnum() or t.text == "-"]
    if not words:
        return True
    markers = book.words.nothing_markers
    return all(w in book.words.nothing_answers for w in words) and any(w in markers for w in words)
