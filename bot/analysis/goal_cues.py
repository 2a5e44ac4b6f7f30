"""Cue phrases about the goal itself: work done for someone else, time spent away from the goal,
and a number that moved.

An embedding places "built a wake-word detector for the smart-speaker team" close to a speech
recognition goal; the wording says it serves someone else. These cues are features of goal
alignment, for the rules (``bot.analysis.rules``) and the semantic analyser alike:

- ``ELSEWHERE_CUES``: the work was *for* another team, client, event or product ("for the
  marketing team", "for a hackathon", "because a friend asked"), or the writer says they did not
  get to the goal ("instead of", "did not get to", "can wait", "doesn't cover").
- ``PROGRESS_CUES``: a measured change ("from 41% to 47%", "+4 points", "recall jumped"), which
  in a check-in is nearly always the goal's number.

Pure regexes: no I/O, no model.
"""

from __future__ import annotations

import re

from bot.analysis.negation import FOLD

__all__ = ["ELSEWHERE_CUES", "PROGRESS_CUES", "elsewhere_phrases", "shows_progress"]

# Who or what else a piece of work can be for: other people, events, products and venues.
_BENEFICIARY = (
    r"(?:team|client|customer|group|department|dept|company|firm|startup|agency|friend|colleague"
    r"|co-?worker|manager|management|boss|sponsor|partner|lab\s+open\s+day|open\s+day|demo"
    r"|hackathon|course|students|lecture|seminar|tutorial|workshop|meetup|fair|event"
    r"|outreach|app|product|website|game|blog|newsletter|pilot|competition|contest"
    r"|leaderboard\s+entry|side\s+project|office|city|council|government|ministry|board)s?"
)

ELSEWHERE_CUES: tuple[re.Pattern[str], ...] = (
    # "for the marketing team", "for an agriculture client", "for a friend's band"
    re.compile(
        r"\bfor\s+(?:a|an|the|my|our|another|other|some|one\s+of\s+(?:the|our)|a\s+different)\s+"
        r"(?:[\w'&-]+\s+){0,3}?" + _BENEFICIARY + r"(?:'s)?(?![\w-])",
        re.IGNORECASE,
    ),
    # "because a friend asked", "as a favour"
    re.compile(
        r"\bbecause\s+(?:a|my|our|the)\s+(?:[\w'-]+\s+){0,2}?(?:friend|colleague|manager|boss"
        r"|client|customer|team)\s+asked\b|\bas\s+a\s+favou?r\b",
        re.IGNORECASE,
    ),
    # "instead of touching our data", "did not get to the goal this week", "the task can wait"
    re.compile(
        r"\binstead\s+of\b|\b(?:did\s*n[o']?t|didnt|never)\s+(?:get|got)\s+(?:around\s+)?to\b"
        r"|\bcan\s+wait\b|\b(?:does|did)\s*(?:n't|\s+not)\s+cover\b|\bnothing\s+to\s+report\b"
        r"|\bno\s+progress\s+on\b|\bput\s+(?:[\w'-]+\s+){0,2}?(?:aside|on\s+hold)\b"
        r"|\bunrelated\s+to\b|\bside\s+(?:project|quest)\b",
        re.IGNORECASE,
    ),
)

PROGRESS_CUES: tuple[re.Pattern[str], ...] = (
    # "from 41% to 47%", "went from 6 to 11", "19% to 16%"
    re.compile(r"\bfrom\s+[\d.,]+\s*%?\s+to\s+[\d.,]+|\b[\d.,]+\s*%\s+to\s+[\d.,]+\s*%"),
    # "+4 points", "2 points worse", "up 3%"
    re.compile(
        r"[+-]\s?\d[\d.,]*\s*(?:points?|pts|pp|%)|\b\d[\d.,]*\s*(?:points?|pts|pp)\b"
        r"|\b(?:up|down|by)\s+\d[\d.,]*\s*%",
        re.IGNORECASE,
    ),
    # "recall jumped", "accuracy rose", "lifts accuracy"
    re.compile(
        r"\b(?:rose|fell|jumped|climbed|improved|dropped|halved|doubled)\s+(?:by|from|to|\d)"
        r"|\blifts?\s+(?:[\w-]+\s+){0,2}?(?:by\s+)?\d",
        re.IGNORECASE,
    ),
)


def elsewhere_phrases(text: str) -> list[str]:
    """The phrases of ``text`` that say the work was for someone else or away from the goal.

    >>> elsewhere_phrases("Built a lyrics generator for a friend's band.")
    ["for a friend's"]
    """
    folded = text.translate(FOLD)
    return [m.group(0) for cue in ELSEWHERE_CUES for m in cue.finditer(folded)]


def shows_progress(text: str) -> bool:
    """Whether ``text`` reports a measured change ("from 41% to 47%", "+4 points").

    >>> shows_progress("Precision rose from 41% to 47%."), shows_progress("Cleaned the data.")
    (True, False)
    """
    folded = text.translate(FOLD)
    return any(cue.search(folded) for cue in PROGRESS_CUES)
