"""Cue phrases of a project or experiment that failed, stalled or was dropped (nudge:
best-works), idioms included ("hit a wall", "a swing and a miss").

Failure *analysis* ("failure cases", "failure modes"), fixed failing tests and negations ("no
failures this week", "never hit a wall") must not fire: the patterns exclude the first two, and
``bot.analysis.cues.find_cue`` drops a negated cue.
"""

from __future__ import annotations

import re

from bot.analysis.cues import cue

__all__ = ["FAILURE_CUES"]

FAILURE_CUES: tuple[re.Pattern[str], ...] = (
    # "the run tanked", "it flopped", "went nowhere"
    cue(
        r"\b(?:tank(?:ed|s)|flopp?(?:ed|s)|bomb(?:ed|s)|fizzl(?:ed|es|ing)(?:\s+out)?"
        r"|went\s+nowhere|crashed\s+and\s+burned)\b"
    ),
    # "hit a wall"
    cue(r"\bhit(?:ting|s)?\s+(?:a|the)\s+(?:brick\s+)?wall\b"),
    # "pulled the plug"
    cue(r"\bpull(?:ed|ing|s)?\s+the\s+plug\b"),
    # "didn't work", "doesn't converge", "hasn't panned out" (not "didn't work on X")
    cue(
        r"\b(?:did|does|do|has|have|had)(?:\s+not|n'?t)\s+(?:really\s+|quite\s+|actually\s+|even\s+)?"
        r"(?:work(?:ed)?(?:\s+out)?\b(?!\s+(?:on|for|today|yesterday|late|much)\b)"
        r"|(?:pan(?:ned)?\s+out|converge[ds]?|go(?:ne)?\s+anywhere|move\s+the\s+needle)\b)"
    ),
    # "didn't help", "didn't beat the baseline"
    cue(r"\bdid(?:\s+not|n'?t)\s+(?:really\s+)?(?:help|improve|beat|match|reproduce|replicate)\b"),
    # "couldn't reproduce", "couldn't get it to converge"
    cue(
        r"\b(?:could|can)(?:\s+not|n'?t|not)\s+(?:get\s+[\w-]+\s+to\s+(?:work|converge|train)"
        r"|make\s+it\s+work|reproduce|replicate)\b"
    ),
    # "failed", "failed to converge" (not "tests failed", "failed cases", "failed on 3 clips")
    cue(
        r"(?<!tests\s)(?<!test\s)(?<!ci\s)(?<!build\s)(?<!lint\s)(?<!checks\s)(?<!check\s)"
        r"\bfailed\b(?:\s+to\s+[\w-]+)?"
        r"(?!\s+(?:unit\s+|integration\s+)?(?:tests?|cases?|examples?|samples?|checks?|builds?)\b)"
        r"(?!\s+(?:on|for)\s+(?:\d+|some|many|most|several|a\s+few|a\s+lot|hard|long|short)\b)"
    ),
    # "was a failure", "a total failure" (not "failure cases", "failure modes")
    cue(
        r"\b(?:was|were|is|been|a|total|complete|ended\s+in)\s+(?:a\s+)?"
        r"(?:total\s+|complete\s+|big\s+|huge\s+)?(?:failure|bust|disaster|washout)\b"
        r"(?![\s-]+(?:cases?|modes?|analysis|rates?|examples?))"
    ),
    # "abandoned", "scrapped", "shelved"
    cue(r"\b(?:abandon(?:ed|ing)?|scrapp(?:ed|ing)|shelv(?:ed|ing)|mothball(?:ed|ing))\b"),
    # "dropped the project" (not "WER dropped 2 points")
    cue(
        r"\bdropp(?:ed|ing)\s+(?:the|this|that|my|our)\s+(?:[\w-]+\s+){0,2}?"
        r"(?:project|idea|direction|approach|experiment|thread|effort|plan|bet)s?\b"
    ),
    # "the project was dropped / killed / cancelled"
    cue(
        r"\b(?:project|idea|direction|approach|experiment|effort|bet)s?\s+"
        r"(?:was|were|got|is|has\s+been|have\s+been)\s+(?:\w+\s+)?"
        r"(?:dropped|killed|cancell?ed|scrapped|shelved)\b"
    ),
    # "killed the project"
    cue(
        r"\bkill(?:ed|ing)\s+(?:the|this|that|my|our)\s+(?:[\w-]+\s+)?"
        r"(?:project|idea|direction|experiment|effort|approach)\b"
    ),
    # "dead end"
    cue(r"\bdead[\s-]+ends?\b"),
    # "gave up on", "after two days I gave up", "the kiosk demo was quietly unplugged"
    cue(
        r"\bg(?:ave|ive|ives|iving|iven)\s+up\s+on\b|\b(?:i|we|they)\s+(?:just\s+)?gave\s+up\b"
        r"|\b(?:was|were|got|been)\s+(?:\w+\s+)?unplugged\b"
    ),
    # "got scooped": the project lost its point
    cue(r"\b(?:(?:got|get|getting|been|was|were|be)\s+)?scooped\b"),
    # "no improvement after", "no luck", "no progress"
    cue(
        r"\bno\s+(?:real\s+|measurable\s+|significant\s+|meaningful\s+|noticeable\s+)?"
        r"(?:improvement|gain|progress|signal|lift|luck)s?\b(?:\s+(?:after|from|with|at\s+all))?"
    ),
    # "back to the drawing board"
    cue(r"\bback\s+to\s+(?:the\s+)?(?:drawing\s+board|square\s+one)\b"),
    # "stalled", "the loss diverged"
    cue(r"\b(?:stall(?:ed|ing)|diverg(?:ed|es|ing))\b"),
    # "a negative result"
    cue(r"\bnegative\s+results?\b"),
    # "came to nothing", "did nothing for the old hands", "no better than PCA"
    cue(
        r"\bc[ao]me\s+to\s+nothing\b|\bdid\s+nothing\s+(?:for|to\s+help)\b"
        r"|\bno\s+better\s+than\b"
    ),
    # "a dud", "fell through", "fell apart"
    cue(r"\bduds?\b|\b(?:fell|falls?|falling)\s+(?:through|apart|flat)\b"),
    # "mode-collapsed on every run" (not "collapsed the classes into one")
    cue(r"\bcollaps(?:ed|es|ing)\b(?!\s+(?:the|them|it|into|to|\w+\s+into)\b)"),
    # "never converged", "never took off"
    cue(
        r"\bnever\s+(?:really\s+|once\s+)?(?:converged|worked|took\s+off|panned\s+out|recovered"
        r"|beat)\b"
    ),
    # "it went sideways", "things have gone sideways"
    cue(r"\b(?:went|gone|go|goes|going)\s+sideways\b"),
    # idioms: "threw in the towel", "ran out of steam", "dead in the water", "went up in smoke"
    cue(
        r"\b(?:thr(?:ew|ow|owing|own)\s+in\s+the\s+towel|r[au]n\s+out\s+of\s+steam"
        r"|dead\s+in\s+the\s+water|up\s+in\s+smoke|swing\s+and\s+a\s+miss|backfired"
        r"|no\s+dice|(?:did|does|has)\s*(?:n't|\s+not)\s+pa(?:y|id)\s+off)\b"
    ),
    # "binning that line of work", "ditched it", "I'm dropping it"
    cue(
        r"\b(?:binn?(?:ed|ing)?|ditch(?:ed|ing)?)\s+(?:that|this|the|it|them|my|our)\b"
        r"|\bdropp(?:ed|ing)\s+(?:it|them)\b(?!\s+(?:to|by|from|in|into|off)\b)"
    ),
    # "made things worse", "it hurt ad revenue"
    cue(
        r"\bmade\s+(?:it|things|everything|the\s+[\w-]+)\s+worse\b"
        r"|\bhurt\s+(?:[\w-]+\s+){0,2}?(?:metric|accuracy|recall|precision|revenue|performance"
        r"|results?|scores?)\b"
    ),
    # "two weeks without gains", "wasted the week", "lost the week"
    cue(
        r"\bwithout\s+(?:any\s+)?(?:gains?|improvements?|progress|success|luck)\b"
        r"|\bwasted\s+(?:the|a|my|our|two|three|several|\w+)\s+(?:\w+\s+)?(?:weeks?|days?|months?)\b"
        r"|\blost\s+the\s+week\b"
    ),
    # "decided to stop the hybrid", "the A/B test was killed", "had to roll it back"
    cue(
        r"\bstop(?:ped|ping|s)?\s+(?:the|this|that|my|our)\s+(?:[\w/-]+\s+){0,3}?"
        r"(?:project|experiment|idea|approach|effort|direction|attempt|branch|plan|hybrid|test)\b"
        r"|\b(?:was|were|got|has\s+been|had\s+to\s+be)\s+(?:\w+\s+)?(?:killed|cancell?ed|scrapped"
        r"|called\s+off|rolled\s+back)\b|\bhad\s+to\s+(?:revert|roll\s+back|abandon|scrap)\b"
    ),
    # "starting over", "from scratch again"
    cue(r"\bstart(?:ing|ed|s)?\s+over\b|\bfrom\s+scratch\s+again\b"),
)
