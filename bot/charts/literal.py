"""Member text on a chart, shown as typed and never read as markup.

Every text artist a chart makes is drawn with ``parse_math=False``, so ``$\\frac{1}{0}$`` is
those characters, not mathtext. Here the text is made short and drawable: a 10,000-character
goal would be a slow, unreadable title, and a character the chart's font lacks would be a
warning per glyph and an empty box anyway.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache

TITLE = 80  # characters of a goal or digest title, before it is fitted to the chart's width
LABEL = 40  # a metric's name along the y axis
NAME = 40  # a member's name in the team chart's legend, before it is fitted to its room
MISSING = "□"  # shown for a character the font has no glyph for


def literal(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters (an ellipsis marks a cut), each one
    the chart's font can draw. ``literal("a\\nb", 10) == "a b"``."""
    text = " ".join(text[: limit * 4].split())  # whitespace and line breaks become one space
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    glyphs = _glyphs()
    return "".join(c if ord(c) in glyphs else _stand_in(c) for c in text)


def fitted(text: str, pixels: float, width: Callable[[str], float]) -> str:
    """``text`` cut (with an ellipsis) until ``width`` measures it at most ``pixels`` wide: a
    title of wide letters is shorter than one of narrow ones."""
    for _ in range(8):  # each cut lands near the fit; a few more close the rest
        wide = width(text)
        if wide <= pixels or len(text) <= 2:
            break
        keep = max(1, min(len(text) - 2, int(len(text) * pixels / wide)))
        text = text[:keep].rstrip() + "…"
    return text


def _stand_in(char: str) -> str:
    """What takes the place of a character the font lacks: nothing for one that takes no room
    of its own (a control character, a joiner, a combining accent), else a box."""
    return "" if unicodedata.category(char) in ("Cc", "Cf", "Mn", "Me") else MISSING


@cache
def _glyphs() -> frozenset[int]:
    """The code points of the font matplotlib draws text with (DejaVu Sans, which it ships)."""
    from matplotlib.font_manager import FontProperties, findfont, get_font

    return frozenset(get_font(findfont(FontProperties())).get_charmap())
