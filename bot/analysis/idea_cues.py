"""Cue phrases of work whose direction came from a paper, a trend, hype or what others do,
rather than from the member's goal (nudge: goal-not-idea).

Three families: *the literature* ("a new paper did X, I can do it better", "beat the SOTA",
"reproduce and extend the latest paper", "got scooped"), *the crowd* ("everyone is switching to",
"the whole community is chasing", "because it's the hot thing", "all over Twitter", "the hype")
and *novelty as the reason* ("seemed cool, so I tried it", "just to try it", "couldn't resist
the new release"). Reading a paper for a baseline, reproducing a baseline and trying a technique
for a stated reason of the goal's must not fire; ``bot.analysis.cues.find_cue`` drops a cue that
is negated, set aside before it ("despite the hype") or rejected after it ("everyone is on X; we
are not"), see ``bot.analysis.negation``.

>>> from bot.analysis.cues import find_cue
>>> find_cue(["Swapped our encoder for Mamba because it's the hot thing."], IDEA_CUES)
"because it's the hot thing"
>>> find_cue(["Despite the hype around agents, we kept labelling."], IDEA_CUES, dismissible=True)
>>> find_cue(["Everyone at the lab was on holiday, so I cleaned the eval code."], IDEA_CUES)
"""

from __future__ import annotations

import re

from bot.analysis.cues import cue

__all__ = ["IDEA_CUES"]

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

# Something others released or said, as what turned the work ("after the big launch").
_TRIGGER = (
    r"(?:a|an|the|this|that|their|[\w-]+'s)\s+(?:[\w-]+\s+){0,3}?(?:paper|preprint|release"
    r"|announcement|launch|demo|keynote|tweet|thread|blog\s+post|hype|buzz|trend)s?\b"
)

# What a reason names when it comes from outside: the crowd, or novelty and hype.
_CROWD_OR_NOVELTY = (
    r"(?:(?:cool|other|rival)\s+(?:labs?|groups?|teams?|companies)"
    r"|twitter|reddit|linkedin|social\s+media|online"
    r"|people\s+(?:keep|kept|are|were|have\s+been)\s+(?:posting|talking|tweeting|raving|buzzing"
    r"|hyping|writing|publishing|switching|excited)"
    r"|the\s+(?:whole\s+)?(?:field|community|industry|crowd)\s+(?:is|has|was|seems|moved|switched"
    r"|went|loves|likes)"
    r"|(?:hot|hottest|trendy|trending|hyped|viral|shiny|flashy|fancy|famous|popular)\s+"
    r"(?:[\w-]+\s+)?(?:paper|preprint|model|method|release|architecture|technique|trick|thing"
    r"|idea|topic|framework|approach)s?"
    r"|trending|trendy|hyped|hype|buzz\w*|viral|fashionable|popular(?!\s+(?:with|among)\b)"
    r"|cool(?![\w-])|shiny|sexy|fancy|all\s+the\s+rage|in\s+vogue"
    r"|(?:sounds?|sounded|looks?|looked)\s+(?:so\s+|really\s+|pretty\s+)?(?:impressive|cool|fancy"
    r"|exciting|shiny)"
    r"|winning\s+everything|(?:are|is|'s|'re)\s+the\s+(?:hot\s+|big\s+|new\s+)?thing)\b"
)
# One character of a clause that names nothing of the member's own ("our", "my", "we", "I").
_NOT_OWN = r"(?:(?!\b(?:our|ours|my|mine|we|us|i|me)\b)[^.;!?,\n])"

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
    # "jumped on the bandwagon", "hopped on the LLM hype train"
    cue(
        r"\b(?:jump(?:ed|ing|s)?|hopp?(?:ed|ing|s)?|climb(?:ed|ing|s)?|g[eo]t(?:ting)?)\s+"
        r"(?:on|onto|aboard)\s+(?:the\s+)?(?:[\w'-]+\s+){0,3}?(?:bandwagon|hype|trend|train)\b"
        r"|\bbandwagon\b"
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
        r"(?:into|onto)|rushing\s+(?:into|to)"
        r"|on\s+(?!(?:the\s+)?(?:team|call|board|leave|holiday|vacation|break|site|time|track)\b))"
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
        # "chased that paper claiming ...": a paper's claim, not the goal, set the week
        r"|\bchas(?:e|es|ed|ing)\s+(?:that|this|the|a)\s+(?:new\s+|recent\s+)?(?:paper|preprint)"
        r"\s+(?:claiming|that\s+claims|with|and\s+its)\b"
    ),
    # "everyone's bolting CLIP onto camera traps, so I did too"
    cue(
        r"\b(?:everyone|everybody)(?:'s|\s+is|\s+was|\s+were)\s+[\w-]+ing\b[^.;!?\n]{0,80}?"
        r"\bso\s+(?:i|we)\s+(?:did|do|am|are|was|were|followed)(?:\s+(?:too|as\s+well|suit))?\b"
    ),
    # "it is the fashion of the season", "the reviewer fashion this cycle", "the grant call
    # wants yield forecasts"
    cue(
        r"\bthe\s+(?:[\w-]+\s+)?fashion\s+(?:of\s+the|this)\s+(?:season|year|cycle|month|week)\b"
        r"|\b(?:grant|funding)\s+call\s+(?:wants|asks\s+for|is\s+asking\s+for|asking\s+for)\b"
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
        r"\btrending\b|(?<!\bwe\s)(?<!\bi\s)\b(?:hyped|buzzy|fashionable|trendy|all\s+the\s+rage"
        r"|buzzwords?)\b"
        r"|\bflavou?r\s+of\s+the\s+(?:month|week|year)\b|\bwent\s+viral\b"
        r"|\bviral\s+(?:paper|preprint|demo|post|thread|tweet|result|video|clip)s?\b"
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
    # "pivoted to agents after the big launch", "after a flashy keynote, I changed direction"
    cue(
        r"\b(?:pivot\w*|switch(?:ed|ing)?\s+(?:topics?|directions?|focus|projects?|gears)"
        r"|chang(?:ed|ing)\s+(?:direction|topics?|course|focus)|re-?scop\w+|refocus\w*)\b"
        r"[^.;!?\n]{0,60}?\b(?:after|because\s+of|since|following|thanks\s+to|inspired\s+by)\s+"
        + _TRIGGER
        + r"|\b(?:after|following|inspired\s+by)\s+"
        + _TRIGGER
        + r"[^.;!?\n]{0,40}?\b(?:pivot\w*|switch(?:ed|ing)?\s+(?:topics?|directions?|focus"
        r"|projects?|gears)|chang(?:ed|ing)\s+(?:direction|topics?|course|focus)|re-?scop\w+"
        r"|refocus\w*)"
    ),
    # --- the crowd -------------------------------------------------------------------------
    # "everyone on Twitter is raving about X", "the whole vision community switched to Y",
    # "half the field moved to Z" (the verbs say the crowd moved, not that a team agreed)
    cue(
        r"\b(?:everyone|everybody|half\s+(?:the|of)\s+(?:[\w-]+\s+)?(?:field|community|lab|twitter"
        r"|conference|internet|industry)|(?:the\s+(?:whole\s+|entire\s+)?|every\s+)(?:[\w-]+\s+)?"
        r"(?:community|field|industry|crowd)|every\s+(?:other\s+)?(?:lab|group|company|startup)"
        r"|(?:all\s+)?the\s+(?:big|top|major|frontier|other)\s+(?:labs|groups|companies))"
        r"(?:\s+(?:else|(?:at|in|on)\s+(?:the\s+|my\s+|our\s+)?[\w-]+(?:\s+[\w-]+)?))?"
        r"(?:\s+(?:is|are|was|were|has|have|seems?\s+to\s+be|seemed\s+to\s+be)|'s|'re)?\s+"
        r"(?:(?:now|suddenly|all|already|just)\s+)?"
        r"(?:(?:raving|buzzing|tweeting|posting|blogging|writing|hyped|excited|talking)\s+about"
        r"|(?:switch(?:ed|ing)?|mov(?:ed|ing)|jump(?:ed|ing)|pivot(?:ed|ing)|flock(?:ed|ing)"
        r"|migrat(?:ed|ing)|pil(?:ed|ing))\s+(?:to|onto|into|over\s+to)"
        r"|chas(?:ed|ing)|citing|hyping|obsess(?:ed|ing)\s+(?:with|over)|all[\s-]+in\s+on"
        r"|working\s+on|publishing\s+on|betting\s+on|racing\s+(?:to|on|into))\b"
    ),
    # "because everyone else is doing it", "since all the other labs use it", "what others are
    # doing", "people keep raving about it" (not "since everyone was on holiday")
    cue(
        r"\b(?:because|since|as|cause|cuz)\s+(?:everyone|everybody|all\s+the\s+other\s+[\w-]+"
        r"|(?:the\s+)?other\s+(?:labs|groups|teams|people)|others)\s+(?:else\s+)?"
        r"(?:(?:is|are|was|were|seems?\s+to\s+be|seemed\s+to\s+be)\s+(?:all\s+)?(?:doing|using"
        r"|trying|switching|moving|publishing|working\s+on|on\s+it)|does|did|do|uses|used"
        r"|use|(?:has|have)\s+(?:one|it|done\s+it)|is\b|are\b|was\b|were\b)(?!\s+(?:on\s+(?:holiday"
        r"|vacation|leave|break)|away|out|off|sick|busy|tired|late|there|here|in\s+the)\b)"
        r"(?:\s+(?:else\s+)?(?:doing|using|trying|on\s+it))?\b"
        r"|\bpeople\s+(?:are|keep|kept|have\s+been|were)\s+(?:raving|buzzing|tweeting|posting"
        r"|hyping)\b(?!\s+about\s+(?:our|my|us)\b)"
        r"|\b(?:doing|do|did|copy|copying|following|follow|followed)\s+what\s+(?:everyone"
        r"|everybody|others|other\s+(?:labs|groups|teams|people))\s+(?:else\s+)?"
        r"(?:is|are|was|were|does|do|did)\b"
        r"|\b(?:follow(?:s|ed|ing)?|went\s+with|join(?:s|ed|ing)?)\s+the\s+(?:crowd|herd|pack)\b"
    ),
    # "it's all over Twitter", "a thread that blew up online"
    cue(
        r"\ball\s+over\s+(?:my\s+|the\s+)?(?:twitter|x|feed|timeline|arxiv|linkedin|reddit"
        r"|internet|social\s+media|hacker\s+news|bluesky|mastodon)\b"
        r"|\b(?:blow(?:s|ing|n)?|blew)\s+up\s+(?:online|on\s+(?:twitter|x|reddit|social\s+media"
        r"|arxiv|linkedin|hacker\s+news|the\s+internet|bluesky))\b"
    ),
    # "whatever is trending", "what gets accepted these days", "reviewers love this topic"
    cue(
        r"\bwhatever\s+(?:is|was|'s)\s+(?:hot|trending|popular|new|newest|fashionable|hyped"
        r"|(?:on\s+)?top\s+of)\b"
        r"|\bwhat(?:'s|\s+is)?\s+(?:gets?|getting)\s+(?:accepted|cited|attention|hyped|funded)\b"
        r"|\b(?:the\s+)?reviewers\s+(?:love|reward)s?\s+(?:this|that|it|these)\b"
        r"|\bwhere\s+(?:all\s+)?the\s+(?:attention|hype|buzz|citations|excitement|momentum)\s+"
        r"(?:is|are)\b"
        r"|\b(?:paper|model|method|preprint|topic|idea|architecture|trick)\s+of\s+the\s+"
        r"(?:week|month|moment|day)\b|\bheadline[\s-]grabbing\b"
    ),
    # "following the hype", "the LLM hype", "the buzz around the new model" (not "the hype about
    # our results"; "despite the hype" is set aside by find_cue)
    cue(
        r"\bhype\b(?![\s-]+free\b)(?!\s+(?:around|about|over|for|on)\s+(?:our|my|us|me)\b)"
        r"|\bbuzz\s+(?:around|about|over)\s+(?!(?:our|my|us|me)\b)"
    ),
    # "ride the wave", "followed the latest trend", "caught the craze"
    cue(
        r"\b(?:follow|chas|rid|rode|catch|caught|surf|join)\w*\s+(?:the|this|that|a)\s+"
        r"(?:latest\s+|current\s+|new\s+)?(?:[\w-]+\s+)?(?:trend|wave|craze|fad)s?\b"
        r"|\b(?:latest|current|newest)\s+(?:craze|fad)\b|\bhaving\s+(?:a|its)\s+moment\b"
    ),
    # "every paper at ICML seemed to use one", "every talk was about it"
    cue(
        r"\bevery\s+(?:other\s+|single\s+)?(?:paper|talk|poster|preprint|keynote|session|tweet)"
        r"\s+(?:at|in|on|this|i|we)\b[^.;!?\n]{0,40}?\b(?:uses?|used|using|seemed\s+to\s+use"
        r"|was\s+(?:on|about)|is\s+(?:on|about)|mentions?|mentioned)\b"
    ),
    # --- novelty as the reason ---------------------------------------------------------------
    # "because it's the hot thing", "since it's trending", "just because it's new"
    cue(
        r"\b(?:because|since|cause|cuz)\s+(?:it|they|this|that)(?:'s|'re|\s+is|\s+are|\s+was"
        r"|\s+were)\s+(?:so\s+|really\s+|super\s+)?(?:the\s+)?(?:hot(?:test)?(?:\s+new)?"
        r"\s+thing|hot|trending|trendy|popular|fashionable|hyped|in\s+vogue|cool|the\s+newest"
        r"|the\s+latest|newest|what\s+(?:everyone|everybody|every\s+(?:other\s+)?[\w-]+"
        r"|all\s+the\s+[\w-]+|others|other\s+[\w-]+))\b(?!\s+(?:with|among|for|in|on)\b)"
        r"|\bjust\s+because\s+(?:it|they|this|that)(?:'s|'re|\s+is|\s+are|\s+was|\s+were)\s+"
        r"(?:new|out|there|available|(?:just\s+)?released)\b"
        r"|\bjust\s+because\s+(?:it|they)\s+(?:just\s+)?(?:came\s+out|dropped|launched)\b"
    ),
    # A reason that points at the crowd or at novelty, with nothing of the member's own in it:
    # "because that's what the cool labs use", "since people keep posting about it", "because it
    # sounds impressive" (not "because our errors are on rotated images", "because the new labels
    # arrived", "because it was popular with the nurses").
    cue(
        r"\b(?:because|since|cause|cuz|given\s+that|now\s+that)\b"
        + _NOT_OWN
        + r"*?\b"
        + _CROWD_OR_NOVELTY
        + _NOT_OWN
        + r"*(?=[.;!?,\n]|$)"
    ),
    # idioms: "shiny-object syndrome", "the next big thing", "the latest and greatest", "in vogue",
    # "the cool kids", "hot off the press", "the talk of the conference", "a sexy topic"
    cue(
        r"\bshiny[\s-]+(?:new\s+)?(?:objects?|things?|toys?)\b|\bnext\s+big\s+thing\b"
        r"|\blatest\s+and\s+greatest\b|\bin\s+vogue\b|\bcool\s+kids\b|\bzeitgeist\b"
        r"|\bhot\s+off\s+the\s+press(?:es)?\b"
        r"|\btalk\s+of\s+(?:the|every)\s+(?:town|conference|field|lab|internet|twitter|workshop)\b"
        r"|\bsex(?:y|ier|iest)\s+(?:[\w-]+\s+)?(?:topic|area|idea|problem|method|paper|thing"
        r"|direction|field)s?\b"
    ),
    # "the hot new model", "what's hot right now", "the area is exploding right now", "the
    # buzziest topic", "since the paper is getting so much hype"
    cue(
        r"\bhot\s+new\b|\bnew\s+hotness\b|\bthe\s+hot(?:test)?\s+thing\b"
        r"|\bwhat'?s\s+(?:hot|trending|hyped|fashionable|in\s+vogue)\b|\b(?:buzziest|trendiest)\b"
        r"|\b(?:exploding|booming|blowing\s+up|taking\s+off|heating\s+up)\s+(?:right\s+now"
        r"|at\s+the\s+moment|lately|these\s+days|this\s+year)\b"
        r"|\b(?:because|since|as)\s+[^.;!?\n]{0,40}?\b(?:got|gets|is\s+getting|are\s+getting"
        r"|has\s+been\s+getting)\s+(?:so\s+much|a\s+lot\s+of|lots\s+of|tons\s+of)\s+"
        r"(?:press|attention|buzz|hype)\b"
    ),
    # "Mamba looked cool, so I swapped our encoder", "it seemed exciting and we jumped in" (not
    # "it looked fun": a side project, off the goal but not chasing anything)
    cue(
        r"\b(?:because|since|as)\s+(?:it|they|this|that|the\s+[\w-]+(?:\s+[\w-]+)?)\s+"
        r"(?:seemed|looked|sounded)\s+(?:so\s+|really\s+|super\s+|pretty\s+)?(?:cool|exciting"
        r"|shiny|fancy|neat)\b"
        r"|\b(?:seemed|looked|sounded)\s+(?:so\s+|really\s+|super\s+|pretty\s+)?(?:cool|exciting"
        r"|shiny|fancy|neat)\s*[,;:-]?\s*(?:so|and)\s+(?:i|we)\b"
    ),
    # "just to try it", "just to play with it", "to see what the fuss is about"
    cue(
        r"\bjust\s+to\s+(?:try|play\s+with|poke\s+at|mess\s+(?:around\s+)?with|test[\s-]drive)\s+"
        r"(?:it|them|this|that)(?:\s+out)?\s*(?=[.;!?)\n]|$)"
        r"|\bjust\s+to\s+(?:try|play\s+with|poke\s+at|test[\s-]drive)\s+(?:out\s+)?(?:the\s+)?"
        r"(?:new|latest|newest|shiny|hyped|trendy|viral)\b"
        r"|\bwhat\s+(?:all\s+)?the\s+(?:fuss|hype|buzz|excitement)\s+(?:is|was)\s+about\b"
    ),
    # "couldn't resist the new release" (not "couldn't resist one more seed")
    cue(
        r"\bcould(?:n'?t|\s+not)\s+resist\s+(?:the\s+|a\s+|an\s+)?(?:new|latest|newest|shiny"
        r"|hyped|trendy|viral|flashy)\b"
    ),
    # "curious whether the hyped trick works" (curiosity about one's own data is not)
    cue(
        r"\bcurious\s+(?:whether|if|to\s+see\s+(?:whether|if))\s+(?:the|this|that|these|a)\s+"
        r"(?:hyped|trendy|trending|viral|shiny|hot|fancy|famous|popular|much-hyped)\b"
    ),
    # "distracted by a shiny preprint", "got hooked on the hyped release" (not "distracted by
    # the new office move")
    cue(
        r"\b(?:distracted|sidetracked|side-tracked|lured(?:\s+away)?|hooked)\s+(?:by|on|with)\s+"
        r"(?:the\s+|a\s+|an\s+|this\s+|that\s+)?(?:[\w-]+\s+){0,2}?(?:shiny|hyped|trendy"
        r"|trending|viral|flashy|splashy|paper|preprint|release|demo|trend|hype)\b"
    ),
    # "jumped on the new Mamba paper" (not "jumped on a call", "jumped on the new bug report")
    cue(
        r"\bjump(?:ed|ing|s)?\s+(?:straight\s+)?(?:on|onto|at)\s+(?:the\s+|a\s+|an\s+|this\s+"
        r"|that\s+)?(?:new|latest|newest|shiny|hyped|trendy|trending|viral|hot|flashy|splashy)\s+"
        r"(?:[\w-]+\s+){0,2}?(?:paper|preprint|model|release|method|architecture|trick|technique"
        r"|idea|framework|trend|thing|topic|optimi[sz]er|library)s?\b"
    ),
    # --- the race ----------------------------------------------------------------------------
    # "a race to post first", "rushing to get ours out first", "before the topic gets crowded"
    cue(
        r"\b(?:a|the)\s+race\s+to\s+(?:publish|post|be\s+first)\b"
        r"|\b(?:publish|post|get\s+(?:it|ours|our\s+[\w-]+)\s+out|submit|put\s+(?:it|ours)"
        r"\s+out)\w*\s+(?:it\s+|ours\s+)?first\b(?!\s+(?:drafts?|versions?|rounds?|results?"
        r"|half|pass|part|chapter))"
        r"|\bbefore\s+(?:it|the\s+(?:topic|area|field|space|idea|niche))\s+(?:gets|becomes)\s+"
        r"(?:too\s+)?(?:crowded|saturated|busy|taken)\b"
    ),
    # "edge past the number in a rival's preprint", "top a competitor's score" (not "beat the
    # competing baselines", "beat the competitor's model on our test set")
    cue(
        r"\b(?:beat|top|edg\w+\s+past|outdo|one-up|surpass|outperform|chas\w+|improv\w+\s+"
        r"(?:on|upon))\s+(?:(?:the|a|an)\s+)?(?:(?:[\w-]+\s+){0,2}?(?:number|score|result|record"
        r"|sota)s?\s+(?:in|from|of|set\s+by|reported\s+by)\s+(?:(?:a|the)\s+)?(?:rival|competitor)"
        r"|(?:rival|competitor)(?:'s|s'|')\s+(?:[\w-]+\s+)?(?:number|score|result|record|paper"
        r"|preprint|headline|sota)s?)\b"
    ),
    # "rushed to replicate it", "so we aren't left behind", "before we miss the boat"
    cue(
        r"\brush(?:ed|ing|es)?\s+to\s+(?:replicate|re-?implement|publish|post|build\s+on|copy"
        r"|get\s+(?:ours|it|a\s+paper)\s+out)\b"
        r"|\b(?:being|been|be|get|getting|got|feel|feeling|aren'?t|are\s+not|isn'?t|is\s+not"
        r"|not)\s+left\s+(?:out|behind)\b|\bmiss(?:ing)?\s+the\s+(?:boat|wave|train)\b"
        r"|\bfall(?:ing)?\s+behind\s+(?:the\s+)?(?:field|curve|trend|others|other\s+labs"
        r"|everyone)\b"
    ),
    # idioms: "someone got there first", "stole our thunder", "plant a flag", "a me-too paper"
    cue(
        r"\bgot\s+there\s+first\b|\bst(?:ole|eal|ealing|eals)\s+(?:our|my)\s+thunder\b"
        r"|\bplant(?:s|ed|ing)?\s+(?:a|our|my|the)\s+flag\b"
        r"|\bstak(?:e|ed|ing)\s+(?:a|our|my)\s+claim\b"
        r"|\bme[\s-]too\s+(?:paper|project|model|version|work|method)s?\b"
        r"|\bfirst[\s-]+(?:to\s+market|mover)\b|\bgold[\s-]?rush\b"
    ),
    # "I can do it better than them" (after their paper)
    cue(
        r"\bcan\s+do\s+(?:it\s+|this\s+|that\s+)?better\s+than\s+(?:them|they|theirs"
        r"|that\s+paper|the\s+paper)\b"
    ),
    # "to be the first to apply the new architecture", "rushing a version out"
    cue(
        r"\b(?:be|being)\s+the\s+first\s+(?:person\s+|one\s+|group\s+|lab\s+|team\s+)?to\s+"
        r"(?:apply|use|try|publish|port|bring|post)\b"
        r"|\brush(?:ed|ing|es)?\s+(?:a|our|my)\s+(?:[\w-]+\s+)?(?:version|paper|preprint|draft)"
        r"\s+out\b|\bnot\s+(?:to\s+)?be\s+(?:second|scooped|beaten)\b"
    ),
    # "half of NeurIPS was about it", "half the field is on it"
    cue(
        r"\bhalf\s+(?:of\s+)?(?:the\s+)?(?:(?-i:[A-Z][\w-]*)|papers|talks|posters|field|community"
        r"|conference|workshop|twitter|arxiv)\s+(?:was|were|is|are)\s+(?:about|on)\b"
    ),
    # "hoping for a quick paper", "an easy paper out of it"
    cue(r"\b(?:quick|easy|cheap|fast)\s+(?:paper|publication)s?\b"),
)
