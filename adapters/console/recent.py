"""What the console showed in its channels, kept for ``/save``: a terminal has no message to
right-click, so each channel message shown gets a number, and ``/save N`` saves that one to the
member's notebook, as Slack's and Discord's "Save to notebook" do.

Only the last few are kept, in this session alone (the terminal's scrollback, not a record):
a number is never given twice in a session, so ``/save 3`` means the same message while it is
kept.

>>> recent = Recent()
>>> recent.heard("team", "Bruno checked in.", "bruno", "Bruno")
>>> recent.find(1).text
'Bruno checked in.'
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass

KEPT = 20  # channel messages remembered; the oldest go first
WIDTH = 72  # characters of a message in the list, on one line


@dataclass(frozen=True)
class Shown:
    """A channel message as the console showed it. ``author``: who published it, "" when the
    coach posted it on its own (a digest, a nudge); ``author_id``: their user id."""

    number: int
    channel: str
    text: str
    author_id: str = ""
    author: str = ""

    @property
    def link(self) -> str:
        """Where the message is, for the notebook entry: ``console:#team/3``."""
        return f"console:#{self.channel}/{self.number}"

    @property
    def line(self) -> str:
        """The message on one line, its lines joined, cut to ``WIDTH`` characters:
        ``3. Bruno checked in. Goal: Transcribe clinic audio reliably Did: Cleaned th…``."""
        words = " ".join(self.text.split())
        cut = words if len(words) <= WIDTH else words[: WIDTH - 1].rstrip() + "…"
        return f"{self.number}. {cut}"


class Recent:
    """The last ``KEPT`` channel messages shown, numbered from 1 in the order shown."""

    def __init__(self, kept: int = KEPT) -> None:
        self._shown: deque[Shown] = deque(maxlen=kept)
        self._numbers = itertools.count(1)

    def heard(self, channel: str, text: str, author_id: str = "", author: str = "") -> None:
        if text.strip():  # a post with no words (a chart alone) has nothing to save
            self._shown.append(Shown(next(self._numbers), channel, text, author_id, author))

    def newest_first(self) -> list[Shown]:
        return list(reversed(self._shown))

    def find(self, number: int) -> Shown | None:
        return next((s for s in self._shown if s.number == number), None)

    def forget(self, author_id: str) -> None:
        """A member was forgotten: what they published leaves the console's memory too."""
        kept = [s for s in self._shown if s.author_id != author_id]
        self._shown.clear()
        self._shown.extend(kept)
