"""Member words escaped for Discord: as discord.py escapes them, shown exactly as typed, with
no masked link left working."""

from __future__ import annotations

import re

import pytest
from discord.utils import escape_markdown as discord_escape
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from adapters.discord.markdown import escape_markdown

# Pieces that reach every branch: marks, line starts, links of both kinds, masked-link parts.
PIECES = [
    *"ab xé1.,:;'\"()[]#-_*`~|\\<>@\n",
    "  ",
    "> ",
    ">>> ",
    "## ",
    "- ",
    "http://",
    "https://",
    "steam://",
    "<a:/b>",
    "](",
    "[x](y)",
]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)

# discord.py's own patterns: the masked link it escapes, the links it leaves alone.
MASKED_LINK = re.compile(r"\[.+\]\(.+\)")
INDENTED_MARKER = re.compile(r"^\s+-", re.MULTILINE)
LINK = re.compile(r"<[^: >]+:/[^ >]+>|(?:https?|steam)://[^\s<]+[^<.,:;\"'\]\s]")
# How Discord shows a backslash before punctuation: the punctuation alone.
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(escaped: str) -> str:
    return ESCAPED.sub(r"\1", escaped)


@settings(max_examples=400)
@given(texts)
def test_the_same_as_discord_py_on_text_without_masked_links(text: str) -> None:
    # Where discord.py leaves text as typed or escapes it whole, ours is the same to the byte.
    assume(not MASKED_LINK.search(text) and not INDENTED_MARKER.search(text))
    assert escape_markdown(text) == discord_escape(text)


@settings(max_examples=400)
@given(texts)
def test_discord_shows_exactly_what_was_typed(text: str) -> None:
    # A link is sent as typed, so a backslash inside one would show as itself.
    assume(not any("\\" in link for link in LINK.findall(text)))
    assert shown(escape_markdown(text)) == text


@settings(max_examples=400)
@given(texts)
def test_no_masked_link_and_no_mark_is_left_working(text: str) -> None:
    assume(not LINK.search(text))
    inert = ESCAPED.sub("\x00", escape_markdown(text))  # every escaped character, set aside
    assert not MASKED_LINK.search(inert)
    assert not set(inert) & set("_*`~|\\")


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("[a](b) and [c](d)", "\\[a](b) and \\[c](d)"),  # discord.py: the second link works
        ("[**big**](https://x.example)", "\\[\\*\\*big\\*\\*](https://x.example)"),
        ("see [1] and f(x)", "see [1] and f(x)"),  # no masked link: brackets stay
        ("a\n\n- item", "a\n\n\\- item"),  # discord.py: a backslash on the blank line
        ("  - nested", "  \\- nested"),
        ("> quote\n# title\n#### four", "\\> quote\n\\# title\n\\#### four"),
        ("https://x.example/a_b_c.", "https://x.example/a_b_c."),
        ("<https://x.example/a_b>", "<https://x.example/a_b>"),
    ],
)
def test_examples(typed: str, escaped: str) -> None:
    assert escape_markdown(typed) == escaped
