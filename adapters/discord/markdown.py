"""Discord markdown escaped in one left-to-right pass, in time linear in the text.

It escapes what ``discord.utils.escape_markdown`` escapes and leaves links alone as it does,
with the same output on text that holds no masked link and no indented list marker. Two
differences, both so the text shows exactly as typed:

- every ``[`` that could open a masked link ``[text](url)`` is escaped, and the text inside is
  escaped like any other (discord.py escapes only the first ``[`` of a line and nothing after);
- a list marker after indentation or blank lines is escaped where it stands (``  \\- item``),
  not with a backslash at the start of the whitespace, which Discord would show.

Why our own: discord.py's one regular expression backtracks on runs of ``[](`` (6,000
characters took seconds), and every message a member writes goes through it on the event loop.

>>> escape_markdown("**bold** [link](https://a.example/x_y) ## not a header")
'\\\\*\\\\*bold\\\\*\\\\* \\\\[link](https://a.example/x_y) ## not a header'
"""

from __future__ import annotations

import re

__all__ = ["escape_markdown"]

# Escaped wherever they stand outside links, a whole stretch of text at a time.
_MARKS = str.maketrans({mark: "\\" + mark for mark in "_\\~|*`"})
# Where the pass must look: a masked link's "[", a link's start, a line's end.
_LOOK = re.compile(r"[\[<\n]|https?://|steam://")
# A bare link runs to the first space or "<", less the punctuation that usually ends a sentence.
_LINK_RUN = re.compile(r"[^\s<]*")
_LINK_TAIL = ".,:;\"']"
_ANGLE_NAME_END = re.compile(r"[: >]")  # "<scheme:/rest>": the scheme ends at the first of these
_ANGLE_END = re.compile(r"[ >]")
_SPACES = re.compile(r"\s*")
_SCHEMES = ("https://", "http://", "steam://")


def escape_markdown(text: str) -> str:
    """``text`` with Discord's markdown made inert by backslashes; links left as they are."""
    return _Escaper(text).run()


class _Escaper:
    """One pass over ``text``; each scan below starts past where an earlier one ended, or
    reuses its answer, so no character is looked at more than a few times."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.openers = _link_openers(text)
        self.blank_end = -1  # where the whitespace run of the last line start ends
        # (from, found) of the last scan for each kind of stop: "<scheme:" and ":/rest>"
        self.scans: dict[re.Pattern[str], tuple[int, int]] = {}

    def run(self) -> str:
        text, out, pos, n = self.text, self.out, 0, len(self.text)
        while pos < n:
            if pos == 0 or text[pos - 1] == "\n":
                after = self.line_start(pos)
                if after > pos:
                    pos = after
                    continue
            look = _LOOK.search(text, pos)
            stop = look.start() if look else n
            if stop > pos:
                out.append(text[pos:stop].translate(_MARKS))
                pos = stop
                continue
            char = text[pos]
            if char == "[" and pos in self.openers:
                out.append("\\[")
            elif char in "<hs" and (end := self.link_end(pos)) > pos:
                out.append(text[pos:end])
                pos = end
                continue
            else:
                out.append(char)
            pos += 1
        return "".join(out)

    def line_start(self, pos: int) -> int:
        """Escape a quote, header or list marker that starts a line; where the pass goes on."""
        text, char = self.text, self.text[pos]
        if char == ">":
            for mark in (">>>", ">"):
                end = pos + len(mark)
                if text.startswith(mark, pos) and end < len(text) and text[end].isspace():
                    self.out.append("\\" + text[pos : end + 1])
                    return end + 1
        elif char == "#":
            hashes = len(text[pos : pos + 3]) - len(text[pos : pos + 3].lstrip("#"))
            self.out.append("\\" + "#" * hashes)
            return pos + hashes
        elif char == "-" or char.isspace():
            if pos >= self.blank_end:  # a new run of whitespace (else the last scan answers)
                match = _SPACES.match(text, pos)
                self.blank_end = match.end() if match else pos
            dash = self.blank_end
            if dash < len(text) and text[dash] == "-":
                self.out.append(text[pos:dash] + "\\-")
                return dash + 1
        return pos

    def link_end(self, pos: int) -> int:
        """Where a link starting at ``pos`` ends (as discord.py finds links), else ``pos``."""
        text = self.text
        if text[pos] == "<":  # "<scheme:/rest>"
            colon = self.scan(_ANGLE_NAME_END, pos + 1)
            if colon < pos + 2 or not text.startswith(":/", colon):
                return pos
            close = self.scan(_ANGLE_END, colon + 2)
            if close < colon + 3 or close >= len(text) or text[close] != ">":
                return pos
            return close + 1
        scheme = next((s for s in _SCHEMES if text.startswith(s, pos)), None)
        if scheme is None:
            return pos
        start = pos + len(scheme)
        run = _LINK_RUN.match(text, start)
        rest = text[start : run.end() if run else start].rstrip(_LINK_TAIL)
        return start + len(rest) if len(rest) >= 2 else pos

    def scan(self, stops: re.Pattern[str], start: int) -> int:
        """The first of ``stops`` at or after ``start`` (``len(text)`` if none), reusing the
        last scan when it began earlier and found its stop at or after ``start``."""
        began, found = self.scans.get(stops, (-1, -1))
        if began <= start <= found:
            return found
        match = stops.search(self.text, start)
        found = match.start() if match else len(self.text)
        self.scans[stops] = (start, found)
        return found


def _link_openers(text: str) -> set[int]:
    """Where a ``[`` opens a masked link ``[text](url)`` on its line (discord.py's
    ``\\[.+\\]\\(.+\\)``): before some ``](`` that a ``)`` follows, with text between each."""
    openers: set[int] = set()
    if "[" not in text:
        return openers
    start = 0
    for line in text.split("\n"):
        close = line.rfind(")")
        middle = line.rfind("](", 0, close - 1) if close >= 4 else -1
        if middle >= 2:
            openers.update(start + i for i, c in enumerate(line[: middle - 1]) if c == "[")
        start += len(line) + 1
    return openers
