"""Rules-based analysis of a check-in: goal alignment plus the nudge signals.

Pure functions over strings: no I/O, no network, no models. The semantic analyser
(``bot.analysis.semantic``) builds on these rules and returns the same ``Signals``; these rules
alone are the fallback when the embedded model cannot load, and the baseline it is measured
against (``research-coach analyze --eval``).

How it works:

- *Goal alignment* is lexical: content words (lowercased, stop words removed, crudely stemmed) of
  the update and the "how does this move your goal" answer are matched against the goal's. A
  meaningful answer to that question is strong evidence on its own; the two are combined as a
  noisy-or so either can carry alignment.
- *Role-model mimicry*, *idea-driven* and *failure* are cue phrases (module-level tuples of
  compiled regexes below). A cue preceded within ``NEGATION_WINDOW`` words of the same clause by
  a negation ("not", "never", "n't", "without", "nothing", ...) does not fire. Cues that name a
  person or lab only fire when the name looks like one (capitalised, or a known famous name).

The rules favour precision over recall: a missed nudge costs less than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.analysis.signals import ALIGNED_THRESHOLD, Signals

__all__ = [
    "LEXICAL_SATURATION",
    "MOVES_GOAL_WEIGHT",
    "NEGATION_WINDOW",
    "analyze",
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

NEGATION_WINDOW = 4
"""How many words before a cue (within its clause) are searched for a negation."""

_EVIDENCE_CHARS = 80

# ---------------------------------------------------------------------------------------------
# Words


def _words(text: str) -> frozenset[str]:
    """A word set written as whitespace-separated text (easier to read and extend)."""
    return frozenset(text.split())


# Function words and research filler: overlap on these says nothing about serving a goal.
_STOP_WORDS = _words(
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

# Typographic quotes and dashes folded 1:1 so regex spans still index the original text.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2014": "-", "\u2013": "-"})


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
    for token in _TOKEN.findall(text.translate(_FOLD).lower()):
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


# ---------------------------------------------------------------------------------------------
# Negation


# A negation only reaches back to the start of its clause.
_CLAUSE_BREAK = re.compile(
    r"[.;:!?,()\n\"]|\s-+\s|\b(?:but|however|though|although|whereas|while|and|so|then)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# Words that cancel a following cue ("nothing failed", "never hit a wall", "not copying X").
_NEGATORS = _words(
    """
    not no never without nor neither nothing none nobody cannot refuse refused refusing
    dont doesnt didnt isnt wasnt werent wont cant couldnt wouldnt shouldnt havent hasnt hadnt
    arent
    """
)


def _negated(text: str, start: int) -> bool:
    """True if a negation appears shortly before ``start`` within the same clause."""
    clause = _CLAUSE_BREAK.split(text[max(0, start - 200) : start])[-1]
    words = _WORD.findall(clause.lower())[-NEGATION_WINDOW:]
    return any(w in _NEGATORS or w.endswith("n't") for w in words)


# ---------------------------------------------------------------------------------------------
# Cue phrases


# Names that count as "famous" even when written in lower case (and labs as a group).
_FAMOUS: tuple[str, ...] = (
    "karpathy",
    "andrej karpathy",
    "hinton",
    "geoff hinton",
    "geoffrey hinton",
    "lecun",
    "yann lecun",
    "bengio",
    "yoshua bengio",
    "sutskever",
    "ilya sutskever",
    "ilya",
    "schulman",
    "john schulman",
    "amodei",
    "dario amodei",
    "hassabis",
    "demis hassabis",
    "jeff dean",
    "fei-fei li",
    "andrew ng",
    "jason wei",
    "noam shazeer",
    "sam altman",
    "openai",
    "deepmind",
    "google deepmind",
    "google brain",
    "google research",
    "google",
    "anthropic",
    "meta ai",
    "microsoft research",
    "microsoft",
    "nvidia",
    "hugging face",
    "mistral",
    "stanford",
    "berkeley",
    "big labs",
    "the big labs",
    "frontier labs",
    "top labs",
    "big tech",
)
_FAMOUS_SET = frozenset(_FAMOUS)
_FAMOUS_ALT = "|".join(
    re.escape(name).replace(r"\ ", r"\s+") for name in sorted(_FAMOUS, key=len, reverse=True)
)
# A person or lab: a known name in any case, or up to three capitalised words ("Jeff Dean").
_WHO = (
    r"(?P<who>(?:the\s+)?(?:\b(?:" + _FAMOUS_ALT + r")(?![\w-])"
    r"|\b(?-i:[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*){0,2})))"
)
# Capitalised words that are not people or labs ("like I do", "the way PyTorch does it").
_NOT_NAMES = _words(
    """
    i we you he she they it me us them my our your his her their this that these those a an
    monday tuesday wednesday thursday friday saturday sunday
    python pytorch jax tensorflow numpy linux git github slack excel
    """
)


def _cue(pattern: str) -> re.Pattern[str]:
    """Compile a case-insensitive cue; ``<WHO>`` stands for a person or lab."""
    return re.compile(pattern.replace("<WHO>", _WHO), re.IGNORECASE)


# Imitation of a famous person or lab used as the reason for a choice (nudge: role-models).
_ROLE_MODEL_CUES: tuple[re.Pattern[str], ...] = (
    # "like Karpathy does", "just like Google did"
    _cue(r"\blike\s+<WHO>\s+(?:does|did|do|would)\b"),
    # "exactly like DeepMind", "just as OpenAI"
    _cue(r"\b(?:exactly|just)\s+(?:like|as)\s+<WHO>"),
    # "the way DeepMind does it"
    _cue(r"\bthe\s+way\s+<WHO>\s+(?:does|did|do|would|runs?|ran)\b"),
    # "because OpenAI does it", "since Google did"
    _cue(r"\b(?:because|since|cause|cuz)\s+<WHO>\s+(?:does|did|do|uses|used)\b"),
    # "if it's good enough for Google"
    _cue(r"\bgood\s+enough\s+for\s+<WHO>"),
    # "if it works for Anthropic, it works for us"
    _cue(r"\bif\s+it\s+(?:works|worked)\s+for\s+<WHO>"),
    # "copying Karpathy's approach", "imitating DeepMind", "emulating Jeff Dean"
    _cue(
        r"\b(?:cop(?:y|ies|ied|ying)|imitat(?:e|es|ed|ing)|mimick?(?:s|ed|ing)?"
        r"|emulat(?:e|es|ed|ing)|clon(?:e|es|ed|ing)|ap(?:e|es|ed|ing))\s+<WHO>"
    ),
    # "following Jeff Dean's playbook", "borrowed DeepMind's recipe"
    _cue(
        r"\b(?:follow(?:s|ed|ing)?|borrow(?:s|ed|ing)?|st(?:eal|eals|ole|ealing)"
        r"|adopt(?:s|ed|ing)?)\s+<WHO>(?:'s|s'|')\s+(?:[\w-]+\s+)?"
        r"(?:playbook|recipe|blueprint|approach|setup|style|methods?|advice|lead|example"
        r"|footsteps|way|habits?|routine|workflow|strategy|process|formula|template)\b"
    ),
    # "following the DeepMind playbook"
    _cue(r"\bfollow(?:s|ed|ing)?\s+<WHO>\s+(?:playbook|recipe|blueprint|school|style)\b"),
    # "straight from Karpathy's playbook", "in Hinton's footsteps"
    _cue(r"<WHO>(?:'s|s'|')\s+(?:playbook|footsteps)\b"),
    # "a carbon copy of Jeff Dean"
    _cue(r"\bcarbon[\s-]+cop(?:y|ies)\s+of\s+<WHO>"),
    # "copycat" needs no name
    _cue(r"\bcopy[\s-]?cat(?:ting)?\b"),
    # "taking a page out of her book", "took a leaf from Karpathy's book"
    _cue(
        r"\b(?:take|takes|taking|took|taken|steal|stealing|stole)\s+a\s+(?:page|leaf)\s+(?:out\s+of|from)\s+"
        r"(?:[\w'-]+\s+){1,3}?book\b"
    ),
    # "what would Karpathy do"
    _cue(r"\bwhat\s+would\s+<WHO>\s+do\b"),
    # "to be the next Karpathy", "become like Jeff Dean"
    _cue(r"\b(?:be|become|being)\s+(?:like|the\s+next)\s+<WHO>"),
    # "Karpathy does it this way, so ..."
    _cue(r"<WHO>\s+(?:does|did|do)\s+it\s+(?:this|that)\s+way\b"),
    # "Karpathy swears by it"
    _cue(r"<WHO>\s+swears?\s+by\b"),
)

# A paper or result someone else just published, as the start of "... I can do it better".
_PAPER = (
    r"(?:\b(?:a|an|the|this|that)\s+(?:new|recent|latest|fresh|cool|hot|neat)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:paper|preprint|result)"
    r"|\b(?:saw|read|found|spotted|seen|came\s+across)\s+(?:an?|the|this|that)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:paper|preprint)"
    r"|\barxiv\s+paper)\b"
)
# An intention to beat, extend or out-do *that* work (not one's own baseline).
_OUTDO = (
    r"(?:\b(?:can|could|will|should|want\s+to|wanna|plan\s+to|going\s+to|gonna|hope\s+to"
    r"|try(?:ing)?\s+to|aim\s+to)|'ll)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:better\b|(?:beat|outperform|surpass|top|one-up|improve\s+(?:on|upon)|extend)\s+"
    r"(?:it|them|this|that|theirs|the\s+paper|their\s+[\w-]+|its\s+[\w-]+|the\s+sota|sota"
    r"|the\s+(?:reported\s+)?(?:numbers|results?))\b)"
)

# Direction taken from the literature rather than a capability (nudge: goal-not-idea).
_IDEA_CUES: tuple[re.Pattern[str], ...] = (
    # "a new paper did X, I can do X better", "saw an arXiv paper and want to beat it"
    _cue(_PAPER + r"[^\n]{0,120}?" + _OUTDO),
    # "improve on the SOTA from <paper>", "beat the state of the art"
    _cue(
        r"\b(?:beat(?:ing)?|improv(?:e|ing)\s+(?:on|upon)|surpass(?:ing)?|outperform(?:ing)?"
        r"|top(?:ping)?|chas(?:e|ing))\s+(?:the\s+)?(?:current\s+|reported\s+|published\s+)?"
        r"(?:sota|state[\s-]+of[\s-]+the[\s-]+art)\b"
    ),
    # "reproduce and extend the latest paper"
    _cue(r"\breproduc(?:e|es|ed|ing)\s+(?:it\s+)?(?:and|&|\+|then)\s+(?:then\s+)?extend\w*"),
    # "extend / build on the latest paper"
    _cue(
        r"\b(?:extend(?:s|ed|ing)?|build(?:ing)?\s+on|follow(?:ing)?\s+up\s+on)\s+"
        r"(?:the|this|that|a)\s+(?:latest|newest|recent|new|hot)\s+(?:[\w-]+\s+){0,2}?"
        r"(?:paper|preprint|arxiv)\b"
    ),
    # "everyone is working on", "all the labs are chasing"
    _cue(
        r"\b(?:everyone|everybody|every\s+lab|all\s+the\s+(?:big\s+)?labs|the\s+whole\s+field)"
        r"(?:\s+(?:is|are|seems?\s+to\s+be)|'s|'re)\s+(?:\w+\s+)?"
        r"(?:working\s+on|doing|chasing|publishing\s+on|jumping\s+on|talking\s+about)\b"
    ),
    # "the hot topic", "trending on arXiv"
    _cue(r"\b(?:hot|hottest|trending)\s+(?:topic|area|direction)\b|\btrending\s+on\s+\w+"),
    # "got scooped": being scooped is what idea-driven work risks
    _cue(r"\b(?:(?:got|get|getting|been|was|were|be)\s+)?scooped\b"),
    # "before someone else publishes it"
    _cue(
        r"\bbefore\s+(?:someone|somebody|anyone|others|another\s+(?:lab|group|team))\s+"
        r"(?:else\s+)?(?:publish|post|scoop|does|gets)\w*"
    ),
)

# A project or experiment that failed, stalled or was dropped (nudge: best-works).
_FAILURE_CUES: tuple[re.Pattern[str], ...] = (
    # "the run tanked", "it flopped", "went nowhere"
    _cue(
        r"\b(?:tank(?:ed|s)|flopp?(?:ed|s)|bomb(?:ed|s)|fizzl(?:ed|es|ing)(?:\s+out)?"
        r"|went\s+nowhere|crashed\s+and\s+burned)\b"
    ),
    # "hit a wall"
    _cue(r"\bhit(?:ting|s)?\s+(?:a|the)\s+(?:brick\s+)?wall\b"),
    # "pulled the plug"
    _cue(r"\bpull(?:ed|ing|s)?\s+the\s+plug\b"),
    # "didn't work", "doesn't converge", "hasn't panned out" (not "didn't work on X")
    _cue(
        r"\b(?:did|does|do|has|have|had)(?:\s+not|n'?t)\s+(?:really\s+|quite\s+|actually\s+|even\s+)?"
        r"(?:work(?:ed)?(?:\s+out)?|pan(?:ned)?\s+out|converge[ds]?|go(?:ne)?\s+anywhere"
        r"|move\s+the\s+needle)\b(?!\s+(?:on|for|today|yesterday|late|much)\b)"
    ),
    # "didn't help", "didn't beat the baseline"
    _cue(r"\bdid(?:\s+not|n'?t)\s+(?:really\s+)?(?:help|improve|beat|match|reproduce|replicate)\b"),
    # "couldn't reproduce", "couldn't get it to converge"
    _cue(
        r"\b(?:could|can)(?:\s+not|n'?t|not)\s+(?:get\s+[\w-]+\s+to\s+(?:work|converge|train)"
        r"|make\s+it\s+work|reproduce|replicate)\b"
    ),
    # "failed", "failed to converge" (not "tests failed", "failed cases", "failed on 3 clips")
    _cue(
        r"(?<!tests\s)(?<!test\s)(?<!ci\s)(?<!build\s)(?<!lint\s)(?<!checks\s)(?<!check\s)"
        r"\bfailed\b(?:\s+to\s+[\w-]+)?"
        r"(?!\s+(?:unit\s+|integration\s+)?(?:tests?|cases?|examples?|samples?|checks?|builds?)\b)"
        r"(?!\s+(?:on|for)\s+(?:\d+|some|many|most|several|a\s+few|a\s+lot|hard|long|short)\b)"
    ),
    # "was a failure", "a total failure" (not "failure cases", "failure modes")
    _cue(
        r"\b(?:was|were|is|been|a|total|complete|ended\s+in)\s+(?:a\s+)?"
        r"(?:total\s+|complete\s+|big\s+|huge\s+)?(?:failure|bust|disaster|washout)\b"
        r"(?!\s+(?:cases?|modes?|analysis|rates?|examples?))"
    ),
    # "abandoned", "scrapped", "shelved"
    _cue(r"\b(?:abandon(?:ed|ing)?|scrapp(?:ed|ing)|shelv(?:ed|ing)|mothball(?:ed|ing))\b"),
    # "dropped the project" (not "WER dropped 2 points")
    _cue(
        r"\bdropp(?:ed|ing)\s+(?:the|this|that|my|our)\s+(?:[\w-]+\s+){0,2}?"
        r"(?:project|idea|direction|approach|experiment|thread|effort|plan|bet)s?\b"
    ),
    # "the project was dropped / killed / cancelled"
    _cue(
        r"\b(?:project|idea|direction|approach|experiment|effort|bet)s?\s+"
        r"(?:was|were|got|is|has\s+been|have\s+been)\s+(?:\w+\s+)?"
        r"(?:dropped|killed|cancell?ed|scrapped|shelved)\b"
    ),
    # "killed the project"
    _cue(
        r"\bkill(?:ed|ing)\s+(?:the|this|that|my|our)\s+(?:[\w-]+\s+)?"
        r"(?:project|idea|direction|experiment|effort|approach)\b"
    ),
    # "dead end"
    _cue(r"\bdead[\s-]+ends?\b"),
    # "gave up on"
    _cue(r"\bg(?:ave|ive|ives|iving|iven)\s+up\s+on\b"),
    # "got scooped": the project lost its point
    _cue(r"\b(?:(?:got|get|getting|been|was|were|be)\s+)?scooped\b"),
    # "no improvement after", "no luck", "no progress"
    _cue(
        r"\bno\s+(?:real\s+|measurable\s+|significant\s+|meaningful\s+|noticeable\s+)?"
        r"(?:improvement|gain|progress|signal|lift|luck)s?\b(?:\s+(?:after|from|with|at\s+all))?"
    ),
    # "back to the drawing board"
    _cue(r"\bback\s+to\s+(?:the\s+)?(?:drawing\s+board|square\s+one)\b"),
    # "stalled", "the loss diverged"
    _cue(r"\b(?:stall(?:ed|ing)|diverg(?:ed|es|ing))\b"),
    # "a negative result"
    _cue(r"\bnegative\s+results?\b"),
)

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
_NO_FAILURE_WORDS = _words(
    """
    no nope nah none nothing nil nada zero n/a na not n a all everything
    failed fail failure failures dropped drop was were is has been that this so far yet really
    major significant much to report here i we know of didn t this week time sprint month today
    thankfully luckily just and or good fine ok okay worked went well smooth smoothly
    """
)
# ... and of those, the words that actually say so ("everything failed" does not).
_NO_FAILURE_MARKERS = _words(
    "no nope nah none nothing nil nada zero n/a na not good fine ok okay worked well"
)
_FAILED_TOKEN = re.compile(r"[a-z0-9/]+")


# ---------------------------------------------------------------------------------------------
# Helpers


def _phrase(text: str) -> str:
    """Whitespace-collapsed, length-capped phrase for ``Signals.evidence``."""
    collapsed = " ".join(text.split())
    if len(collapsed) <= _EVIDENCE_CHARS:
        return collapsed
    return collapsed[: _EVIDENCE_CHARS - 1].rstrip() + "\u2026"


def _is_person_or_lab(who: str) -> bool:
    """Whether a ``<WHO>`` capture names someone, rather than "I", "My" or "PyTorch"."""
    name = re.sub(r"^the\s+", "", " ".join(who.split()), flags=re.IGNORECASE)
    if name.lower() in _FAMOUS_SET:
        return True
    first = name.split()[0].lower() if name else ""
    return bool(first) and first not in _NOT_NAMES


def _find_cue(texts: Iterable[str], cues: Sequence[re.Pattern[str]]) -> str | None:
    """The first non-negated cue phrase found in ``texts``, or None."""
    for raw in texts:
        if not raw:
            continue
        text = raw.translate(_FOLD)
        for cue in cues:
            for match in cue.finditer(text):
                if _negated(text, match.start()):
                    continue
                if "who" in cue.groupindex and not _is_person_or_lab(match.group("who")):
                    continue
                return _phrase(match.group(0))
    return None


def _moves_goal_strength(moves_goal: str) -> float:
    """0..1: how much the "how does this move your goal" answer says it does."""
    content = _content_words(moves_goal)
    strength = 1.0 if len(content) >= 2 else 0.5 if content else 0.0
    if strength and _MOVES_GOAL_DENIAL.search(moves_goal.translate(_FOLD)):
        strength *= _DENIAL_FACTOR
    return strength


def _failed_field_says_failure(failed: str) -> bool:
    """Whether the "anything that failed or was dropped" answer names something."""
    tokens = _FAILED_TOKEN.findall(failed.translate(_FOLD).lower())
    if not tokens:
        return False
    if all(t in _NO_FAILURE_WORDS for t in tokens):
        return not any(t in _NO_FAILURE_MARKERS for t in tokens)
    return True


def _alignment(goal: str | None, update: str, moves_goal: str) -> tuple[float, str]:
    """Goal alignment in [0, 1] and the phrase that supports it."""
    goal_stems = {stem for _, stem in _content_words(goal or "")}
    if not goal_stems:
        return 0.0, ""
    shared: list[str] = []
    matched: set[str] = set()
    for surface, stem in _content_words(update) + _content_words(moves_goal):
        hits = {g for g in goal_stems if _stems_match(g, stem)}
        if hits:
            matched |= hits
            if surface not in shared:
                shared.append(surface)
    lexical = min(1.0, len(matched) / min(len(goal_stems), LEXICAL_SATURATION))
    answer = _moves_goal_strength(moves_goal)
    score = 1.0 - (1.0 - lexical) * (1.0 - MOVES_GOAL_WEIGHT * answer)
    score = round(min(1.0, max(0.0, score)), 4)
    if answer >= 0.5 and (MOVES_GOAL_WEIGHT * answer >= lexical or not shared):
        why = _phrase(moves_goal)
    else:
        why = ", ".join(shared[:5])
    return score, why


def says_no(text: str) -> bool:
    """Whether ``text`` contains a negation ("not", "never", "no", "didn't", "refuse", ...)."""
    words = _WORD.findall(text.translate(_FOLD).lower())
    return any(w in _NEGATORS or w.endswith("n't") for w in words)


def lexical_alignment(goal: str | None, text: str) -> float:
    """0..1: how many of the goal's content words ``text`` shares (no "moves goal" answer)."""
    return _alignment(goal, text, "")[0]


def moves_goal_strength(moves_goal: str) -> float:
    """0..1: how much the "how does this move your goal" answer says it does."""
    return _moves_goal_strength(moves_goal)


def failed_field_says_failure(failed: str) -> bool:
    """Whether the "anything that failed or was dropped" answer names something."""
    return _failed_field_says_failure(failed)


def phrase(text: str) -> str:
    """Whitespace-collapsed, length-capped phrase for ``Signals.evidence``."""
    return _phrase(text)


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
    alignment, why_aligned = _alignment(goal, update, moves_goal)
    texts = (update, moves_goal)
    role_model = _find_cue(texts, _ROLE_MODEL_CUES)
    idea = _find_cue(texts, _IDEA_CUES)
    failure = _phrase(failed) if _failed_field_says_failure(failed) else None
    if failure is None:
        failure = _find_cue(texts, _FAILURE_CUES)

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
