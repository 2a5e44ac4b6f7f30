"""Cue phrases: the wording that fires role-model mimicry (idea-driven work's are in
``bot.analysis.idea_cues``, failure's in ``bot.analysis.failure_cues``), and how a cue is found.

``ROLE_MODEL_CUES`` is a module-level tuple of compiled, case-insensitive regexes.
``find_cue`` returns the first cue that is not negated shortly before it in its clause
("nothing failed", "I did not copy Karpathy") nor set aside right after it ("everyone is on X;
we are not"), nor, when asked, set aside before it ("despite the hype"), see
``bot.analysis.negation``. Cues that name a person or lab
(``<WHO>``) only fire when the name looks like one: capitalised, or a known famous name.

The cues favour precision over recall: a missed nudge costs less than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.analysis.negation import (
    FOLD,
    NEGATION_WINDOW,
    REASON_NEGATION_WINDOW,
    negated,
    rejected_after,
    set_aside_before,
    trend_set_aside_after,
    word_set,
)

__all__ = ["ROLE_MODEL_CUES", "cue", "find_cue", "phrase"]

_EVIDENCE_CHARS = 80

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
_NOT_NAMES = word_set(
    """
    i we you he she they it me us them my our your his her their this that these those a an
    monday tuesday wednesday thursday friday saturday sunday
    python pytorch jax tensorflow numpy linux git github slack excel
    """
)


# A reason given ("because", "since", and the chat spellings "bc", "b/c", "cuz").
_BECAUSE = r"\b(?:because|since|cause|cuz|bc|b/c)\s+"
_REASON = re.compile(_BECAUSE, re.IGNORECASE)
# "Google's speech team", "the ElevenLabs folks", "Persson's group at Materials Project": still
# the famous name, through its people.
_TEAM = (
    r"(?:(?:'s|s'|')?(?:\s+[\w-]+){0,2}?\s+(?:team|lab|group|folks|people|crowd|researchers))?"
    r"(?:\s+(?:at|from)\s+(?-i:[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*){0,2}))?"
)


def cue(pattern: str) -> re.Pattern[str]:
    """Compile a case-insensitive cue; ``<WHO>`` stands for a person or lab."""
    return re.compile(pattern.replace("<WHO>", _WHO), re.IGNORECASE)


# Imitation of a famous person or lab used as the reason for a choice (nudge: role-models).
ROLE_MODEL_CUES: tuple[re.Pattern[str], ...] = (
    # "like Karpathy does", "just like Google did"
    cue(r"\blike\s+<WHO>\s+(?:does|did|do|would)\b"),
    # "exactly like DeepMind", "just as OpenAI"
    cue(r"\b(?:exactly|just)\s+(?:like|as)\s+<WHO>"),
    # "the way DeepMind does it"
    cue(r"\bthe\s+way\s+<WHO>" + _TEAM + r"\s+(?:does|did|do|would|runs?|ran)\b"),
    # "because OpenAI does it", "bc deepmind did it", "because Meta's speech team went that way"
    cue(
        _BECAUSE + r"<WHO>" + _TEAM + r"\s+(?:always\s+|all\s+)?(?:does|did|do|uses?|used|ships"
        r"|shipped|swears?\s+by|(?:went|goes|go|built|trains?|did)\s+(?:it\s+)?(?:[\w-]+\s+)?"
        r"(?:that|this)\s+way)\b"
    ),
    # "because that's what Google's speech team ships", "since that's the stack DeepMind uses"
    cue(
        _BECAUSE
        + r"(?:that'?s|that\s+is|it'?s)\s+(?:what|how|the\s+[\w-]+)\s+<WHO>"
        + _TEAM
        + r"\s+(?:does|did|do|uses?|used|ships?|shipped|runs?|ran|went|picked|chose|swears\s+by)\b"
    ),
    # "likes to do as Google does", "when Tim Dettmers says jump"
    cue(r"\b(?:do|does|doing|did)\s+as\s+<WHO>\s+(?:does|did|do|says|said)\b"),
    cue(r"\bwhen\s+<WHO>\s+says\s+jump\b"),
    # "since their team swears by them"
    cue(_BECAUSE + r"(?:they|he|she|(?:their|his|her)\s+(?:team|lab|group))\s+swears?\s+by\b"),
    # "went with DeepMind's recipe wholesale", "took Karpathy's setup line by line"
    cue(
        r"<WHO>(?:'s|s'|')\s+(?:[\w-]+\s+){0,2}?(?:recipe|setup|playbook|approach|stack|layout"
        r"|pipeline|config|schedule|loop)\s+(?:[\w-]+\s+){0,3}?(?:wholesale|verbatim|to\s+the\s+letter"
        r"|line\s+by\s+line|step\s+for\s+step|step\s+by\s+step|one-to-one|as-is)\b"
    ),
    # "I trust their taste more than mine", "follow Baker's instincts more than my own"
    cue(
        r"\b(?:trust|follow)\w*\s+(?:their|his|her|<WHO>(?:'s|s'|'))\s+"
        r"(?:taste|instincts?|judge?ments?)\s+more\s+than\s+(?:mine|my\s+own|ours|our\s+own)\b"
    ),
    # "if it's good enough for Google"
    cue(r"\bgood\s+enough\s+for\s+<WHO>"),
    # "if it works for Anthropic, it works for us"
    cue(r"\bif\s+it\s+(?:works|worked)\s+for\s+<WHO>"),
    # "copying Karpathy's approach", "imitating DeepMind", "emulating Jeff Dean"
    cue(
        r"\b(?:cop(?:y|ies|ied|ying)|imitat(?:e|es|ed|ing)|mimick?(?:s|ed|ing)?"
        r"|emulat(?:e|es|ed|ing)|clon(?:e|es|ed|ing)|ap(?:e|es|ed|ing))\s+<WHO>"
    ),
    # "following Jeff Dean's playbook", "borrowed DeepMind's recipe"
    cue(
        r"\b(?:follow(?:s|ed|ing)?|borrow(?:s|ed|ing)?|st(?:eal|eals|ole|ealing)"
        r"|adopt(?:s|ed|ing)?)\s+<WHO>(?:'s|s'|')\s+(?:[\w-]+\s+)?"
        r"(?:playbook|recipe|blueprint|approach|setup|style|methods?|advice|lead|example"
        r"|footsteps|way|habits?|routine|workflow|strategy|process|formula|template)\b"
    ),
    # "following the DeepMind playbook"
    cue(r"\bfollow(?:s|ed|ing)?\s+<WHO>\s+(?:playbook|recipe|blueprint|school|style)\b"),
    # "straight from Karpathy's playbook", "in Hinton's footsteps"
    cue(r"<WHO>(?:'s|s'|')\s+(?:playbook|footsteps)\b"),
    # "a carbon copy of Jeff Dean"
    cue(r"\bcarbon[\s-]+cop(?:y|ies)\s+of\s+<WHO>"),
    # "copycat" needs no name
    cue(r"\bcopy[\s-]?cat(?:ting)?\b"),
    # "taking a page out of her book", "took a leaf from Karpathy's book"
    cue(
        r"\b(?:take|takes|taking|took|taken|steal|stealing|stole)\s+a\s+(?:page|leaf)\s+(?:out\s+of|from)\s+"
        r"(?:[\w'-]+\s+){1,3}?book\b"
    ),
    # "what would Karpathy do"
    cue(r"\bwhat\s+would\s+<WHO>\s+do\b"),
    # "to be the next Karpathy", "become like Jeff Dean"
    cue(r"\b(?:be|become|being)\s+(?:like|the\s+next)\s+<WHO>"),
    # "Karpathy does it this way, so ..."
    cue(r"<WHO>\s+(?:does|did|do)\s+it\s+(?:this|that)\s+way\b"),
    # "Karpathy swears by it"
    cue(r"<WHO>\s+swears?\s+by\b"),
    # "because they're Microsoft", "since they're the experts", "because he's the market leader"
    cue(
        r"\b(?:because|since|cause|bc|b/c|as)\s+(?:they|he|she|it)(?:'re|'s|\s+are|\s+is)\s+"
        r"(?:<WHO>|the\s+(?:experts?|market\s+leaders?|famous\s+ones|best|giants?|gold\s+standard)"
        r"|the\s+(?:big|top|famous|leading)\s+(?:labs?|company|companies|players?|ones?))"
    ),
    # "because that's what they did", "because that's his thing", "that's the Netflix way"
    cue(
        r"\b(?:because|bc|b/c)\s+that'?s\s+(?:what|how)\s+(?:they|he|she|<WHO>)"
        + _TEAM
        + r"\s+(?:do|does|did|pushed|got|won|built|trained)\b"
        r"|\bbecause\s+that'?s\s+(?:his|her|their)\s+(?:thing|way|style)\b"
    ),
    cue(r"\bthe\s+<WHO>\s+way\b"),
    # "doing what NVIDIA does", "whatever Netflix would do, I do"
    cue(r"\b(?:do|doing|did|does)\s+(?:exactly\s+)?what\s+<WHO>\s+(?:does|did|do|would\s+do)\b"),
    cue(r"\bwhatever\s+<WHO>\s+(?:would\s+do|does|did)\b"),
    # "just to be like them", "just like he says to"
    cue(
        r"\bto\s+be\s+(?:more\s+)?like\s+(?:them|him|her)\b"
        r"|\bjust\s+like\s+(?:he|she|they)\s+(?:says|said|does|did|do|tells?|told)\b"
    ),
    # "channelling my inner Karpathy", "mirroring DeepMind", "modelled our stack on Google"
    cue(
        r"\b(?:channell?(?:ing|ed|s)?\s+(?:my\s+inner\s+)?|mirror(?:s|ed|ing)?\s+"
        r"|modell?ed\s+(?:[\w'-]+\s+){0,3}?(?:on|after)\s+)<WHO>"
    ),
    # "because it worked for Google", "since it works for them"
    cue(r"\b(?:because|since)\s+it\s+(?:works|worked)\s+for\s+(?:them|him|her|<WHO>)"),
    # "followed their approach blindly", "cargo-culted the hyperparameters"
    cue(
        r"\b(?:follow(?:ed|ing|s)?|cop(?:y|ied|ying|ies)|adopt(?:ed|ing|s)?)\s+(?:[\w'-]+\s+){0,3}?"
        r"blindly\b|\bblindly\s+(?:follow|cop|adopt|imitat)\w*|\bcargo[\s-]?cult\w*"
    ),
    # "they must know best"
    cue(r"\b(?:they|he|she)\s+must\s+know\s+(?:best|better)\b"),
)


def phrase(text: str) -> str:
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


def find_cue(
    texts: Iterable[str], cues: Sequence[re.Pattern[str]], *, dismissible: bool = False
) -> str | None:
    """The first cue phrase in ``texts`` that is neither negated nor set aside, or None.

    ``dismissible`` cues (trends) are also dropped when set aside before them ("despite the
    hype") or checked against the member's own reason after them ("... because our latency is
    over budget"); a failure is not ("despite the crashed run", "tanked because my LR was off").

    >>> find_cue(["I did not copy DeepMind; we did it like OpenAI does."], ROLE_MODEL_CUES)
    'like OpenAI does'
    """
    for raw in texts:
        if not raw:
            continue
        text = raw.translate(FOLD)
        for cue in cues:
            for match in cue.finditer(text):
                window = (
                    REASON_NEGATION_WINDOW if _REASON.match(match.group(0)) else NEGATION_WINDOW
                )
                if negated(text, match.start(), window) or rejected_after(text, match.end()):
                    continue
                if dismissible and (
                    set_aside_before(text, match.start())
                    or trend_set_aside_after(text, match.end())
                ):
                    continue
                who = match.group("who") if "who" in cue.groupindex else None
                if who is not None and not _is_person_or_lab(who):  # None: "they", not a name
                    continue
                return phrase(match.group(0))
    return None
