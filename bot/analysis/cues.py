"""Cue phrases: the wording that fires role-model mimicry and idea-driven work (failure's are
in ``bot.analysis.failure_cues``), and how a cue is found.

Module-level tuples of compiled, case-insensitive regexes (``ROLE_MODEL_CUES``, ``IDEA_CUES``).
``find_cue`` returns the first cue that is not negated shortly before it in its clause
("nothing failed", "I did not copy Karpathy") nor set aside right after it ("everyone is on X;
we are not"), see ``bot.analysis.negation``. Cues that name a person or lab
(``<WHO>``) only fire when the name looks like one: capitalised, or a known famous name.

The cues favour precision over recall: a missed nudge costs less than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.analysis.negation import FOLD, negated, rejected_after, word_set

__all__ = ["IDEA_CUES", "ROLE_MODEL_CUES", "cue", "find_cue", "phrase"]

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
    cue(r"\bthe\s+way\s+<WHO>\s+(?:does|did|do|would|runs?|ran)\b"),
    # "because OpenAI does it", "since Google did"
    cue(r"\b(?:because|since|cause|cuz)\s+<WHO>\s+(?:does|did|do|uses|used)\b"),
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
        r"\b(?:because|since|cause|as)\s+(?:they|he|she|it)(?:'re|'s|\s+are|\s+is)\s+"
        r"(?:<WHO>|the\s+(?:experts?|market\s+leaders?|famous\s+ones|best|giants?)"
        r"|the\s+(?:big|top|famous|leading)\s+(?:labs?|company|companies|players?|ones?))"
    ),
    # "because that's what they did", "because that's his thing", "that's the Netflix way"
    cue(
        r"\bbecause\s+that'?s\s+(?:what|how)\s+(?:they|he|she|<WHO>)\s+(?:do|does|did)\b"
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
IDEA_CUES: tuple[re.Pattern[str], ...] = (
    # "a new paper did X, I can do X better", "saw an arXiv paper and want to beat it"
    cue(_PAPER + r"[^\n]{0,120}?" + _OUTDO),
    # "improve on the SOTA from <paper>", "beat the state of the art"
    cue(
        r"\b(?:beat(?:ing)?|improv(?:e|ing)\s+(?:on|upon)|surpass(?:ing)?|outperform(?:ing)?"
        r"|top(?:ping)?|chas(?:e|ing))\s+(?:the\s+)?(?:current\s+|reported\s+|published\s+)?"
        r"(?:sota|state[\s-]+of[\s-]+the[\s-]+art)\b"
    ),
    # "reproduce and extend the latest paper"
    cue(r"\breproduc(?:e|es|ed|ing)\s+(?:it\s+)?(?:and|&|\+|then)\s+(?:then\s+)?extend\w*"),
    # "extend / build on the latest paper"
    cue(
        r"\b(?:extend(?:s|ed|ing)?|build(?:ing)?\s+on|follow(?:ing)?\s+up\s+on)\s+"
        r"(?:the|this|that|a)\s+(?:latest|newest|recent|new|hot)\s+(?:[\w-]+\s+){0,2}?"
        r"(?:paper|preprint|arxiv)\b"
    ),
    # "everyone is working on", "all the labs are chasing"
    cue(
        r"\b(?:everyone|everybody|every\s+lab|all\s+the\s+(?:big\s+)?labs|the\s+whole\s+field)"
        # "everyone at the conference is ...", "everybody on Twitter is ..."
        r"(?:\s+(?:at|in|on)\s+(?:the\s+|my\s+|our\s+)?[\w-]+(?:\s+[\w-]+)?)?"
        r"(?:\s+(?:is|are|was|were|seems?\s+to\s+be)|'s|'re)\s+(?:\w+\s+)?"
        r"(?:working\s+on|doing|chasing|publishing\s+on|jumping\s+on|talking\s+about)\b"
    ),
    # "the hot topic", "trending on arXiv"
    cue(r"\b(?:hot|hottest|trending)\s+(?:topic|area|direction)\b|\btrending\s+on\s+\w+"),
    # "got scooped": being scooped is what idea-driven work risks
    cue(r"\b(?:(?:got|get|getting|been|was|were|be)\s+)?scooped\b"),
    # "before someone else publishes it"
    cue(
        r"\bbefore\s+(?:someone|somebody|anyone|others|another\s+(?:lab|group|team)"
        r"|the\s+competition|other\s+(?:labs?|groups?|teams?)|the\s+other\s+(?:lab|group|team))\s+"
        r"(?:else\s+)?(?:publish|post|scoop|does|gets)\w*"
    ),
    # "jumped on the bandwagon", "hopped on the LLM hype train", "following the hype"
    cue(
        r"\b(?:jump(?:ed|ing|s)?|hopp?(?:ed|ing|s)?|climb(?:ed|ing|s)?|g[eo]t(?:ting)?)\s+"
        r"(?:on|onto|aboard)\s+(?:the\s+)?(?:[\w'-]+\s+){0,3}?(?:bandwagon|hype|trend|train)\b"
        r"|\bbandwagon\b|\b(?:the|this|all\s+the|following\s+the|chasing\s+the)\s+hype\b"
    ),
    # "it's all anyone talks about"
    cue(r"\ball\s+(?:anyone|everyone|anybody)\s+(?:talks|is\s+talking|can\s+talk)\s+about\b"),
    # "everyone's on diffusion now", "the whole community is chasing X"
    cue(
        r"\b(?:everyone|everybody|(?:the\s+whole|the\s+entire|all\s+the|every)\s+(?:[\w-]+\s+){0,2}?"
        r"(?:community|field|labs?|world|conference|internet))"
        r"(?:\s+(?:at|in|on)\s+(?:the\s+|my\s+|our\s+)?[\w-]+(?:\s+[\w-]+)?)?"
        r"(?:\s+(?:is|are|was|were|seems?\s+to\s+be)|'s|'re)\s+(?:\w+\s+)?"
        r"(?:excited\s+about|hyped\s+about|obsessed\s+with|switching\s+to|moving\s+to|piling\s+"
        r"(?:into|onto)|rushing\s+(?:into|to)|on\s+(?!(?:the\s+)?(?:team|call|board|leave)\b))"
    ),
    # "FOMO", "nerd-sniped", "a shiny new preprint"
    cue(
        r"\bfomo\b|\bfear\s+of\s+missing\s+out\b|\bnerd[\s-]?snip(?:ed|e|ing)\b"
        r"|\bshiny\s+(?:new\s+)?(?:[\w-]+\s+){0,2}?(?:paper|preprint|method|model|idea|release)\b"
    ),
    # "a preprint claims X ... I'm going to beat their number", "want to top that"
    cue(
        r"\b(?:paper|preprint|arxiv|claim(?:s|ed|ing)?|reports?|published|posted|announced"
        r"|released?)\b[^.!?\n]{0,150}?\b(?:beat|top|surpass|outperform|one-up)\s+"
        r"(?:their|its|that|theirs|them|those)\b"
    ),
    # "dropping our plan to chase that", "chasing the leaderboard"
    cue(
        r"\bto\s+chase\s+(?:that|it|this|them)\b"
        r"|\bchas(?:e|es|ed|ing)\s+(?:the\s+|a\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:leaderboard|hype|trend|headline)s?\b"
    ),
    # "because a big new paper made it look solved", "since Meta released a bigger model"
    cue(
        r"\b(?:because|since)\s+(?:of\s+)?(?:a|an|the|this|that)\s+(?:(?:big|new|recent|hot|viral"
        r"|famous|flashy)\s+){1,3}(?:[\w-]+\s+){0,2}?(?:paper|preprint|demo|release|result)\b"
        r"|\b(?:because|since|now\s+that)\s+<WHO>\s+(?:just\s+)?(?:released|announced|published"
        r"|dropped|launched|open-?sourced|shipped)\b|\bmade\s+it\s+look\s+(?:easy|solved|trivial)\b"
    ),
    # "racing two other labs", "to be first past the SOTA"
    cue(
        r"\brac(?:e|es|ed|ing)\s+(?:against\s+)?(?:[\w-]+\s+){0,2}?(?:labs?|groups?|teams?|others)\b"
        r"|\bfirst\s+past\s+(?:the\s+)?(?:sota|state[\s-]+of[\s-]+the[\s-]+art)\b"
    ),
    # "another group beat us to it"
    cue(r"\bbeat\s+us\s+to\b"),
    # "trending", "the flavour of the month", "a preprint that went viral"
    cue(
        r"\btrending\b|\b(?:hyped|buzzy|fashionable|trendy|all\s+the\s+rage|buzzwords?)\b"
        r"|\bflavou?r\s+of\s+the\s+(?:month|week|year)\b|\bwent\s+viral\b"
        r"|\bviral\s+(?:paper|preprint|demo|post|thread|tweet|result|video)s?\b"
    ),
    # "claim a new SOTA", "top of the leaderboard"
    cue(
        r"\b(?:new|claim(?:ing)?|get(?:ting)?|reach(?:ing)?)\s+(?:a\s+)?"
        r"(?:sota|state[\s-]+of[\s-]+the[\s-]+art)\b(?!\s+(?:baseline|model|system)s?\b)"
        r"|\b(?:top|climb(?:ing)?|first\s+place|number\s+one|#1)\s+(?:of|on|up)\s+(?:the\s+)?"
        r"(?:[\w-]+\s+)?leaderboard\b"
    ),
    # "a group posted almost exactly our method"
    cue(
        r"\b(?:published|posted|released|put\s+out)\s+(?:almost\s+|nearly\s+|basically\s+)?"
        r"(?:exactly\s+)?(?:our|the\s+same)\s+(?:idea|method|approach|result|paper)\b"
    ),
    # "reimplementing the latest paper" (not "... as our baseline")
    cue(
        r"\b(?:re-?implement|reproduc|replicat|re-?creat|port)\w*\s+(?:the|this|that|a)\s+"
        r"(?:latest|newest|new|recent|hot|trending|viral|famous|splashy|flashy)\s+(?:[\w-]+\s+){0,2}?"
        r"(?:paper|preprint|result|model|demo)\b(?![^.;!?\n]{0,40}\bbaselines?\b)"
    ),
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


def find_cue(texts: Iterable[str], cues: Sequence[re.Pattern[str]]) -> str | None:
    """The first cue phrase in ``texts`` that is neither negated nor set aside, or None.

    >>> find_cue(["I did not copy DeepMind; we got scooped though."], IDEA_CUES)
    'got scooped'
    """
    for raw in texts:
        if not raw:
            continue
        text = raw.translate(FOLD)
        for cue in cues:
            for match in cue.finditer(text):
                if negated(text, match.start()) or rejected_after(text, match.end()):
                    continue
                who = match.group("who") if "who" in cue.groupindex else None
                if who is not None and not _is_person_or_lab(who):  # None: "they", not a name
                    continue
                return phrase(match.group(0))
    return None
