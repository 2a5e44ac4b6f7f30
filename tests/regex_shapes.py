"""The shapes of regular expression that backtrack on hostile text, found by reading a
compiled pattern (``re._parser``), not by timing it.

Three shapes make Python's backtracking matcher super-linear, and each has a name here:

- ``nested``: a repeat inside a repeat whose rounds can split a text more than one way
  (``(a+)+``); a round that starts with characters it cannot end with (``(?:,\\d+)*``) is fine;
- ``adjacent``: two repeats in a row that can share characters (``.+\\]\\(.+``: where the first
  ends is a guess, and every guess is tried when the rest fails);
- ``leading``: an unanchored pattern that starts with a repeat and needs more after it
  (``[^.?]*\\?``): a search starts again at every character of a long run and scans it whole.

``shapes(pattern)`` lists what it finds, e.g. ``["adjacent: .+ ... .+"]``; empty is linear as
far as this reading can tell (the hostile-input test checks the rest by running them).
"""

from __future__ import annotations

import re
import re._constants as c  # type: ignore[import-not-found]  # the parser re itself uses
import re._parser as sre  # type: ignore[import-not-found]
from collections.abc import Callable, Iterable, Sequence
from typing import Any

# Characters sets are compared on this sample: ASCII, Latin, and a few spaces, digits and
# letters from further away, enough to tell the classes a pattern uses apart.
SAMPLE = frozenset(map(chr, range(0x250))) | frozenset(
    "\u00a0\u2003\u3000\u200b\u2028中٣ΣжΩ\U0001f600"
)
_CATEGORIES = {
    c.CATEGORY_DIGIT: r"\d",
    c.CATEGORY_NOT_DIGIT: r"\D",
    c.CATEGORY_SPACE: r"\s",
    c.CATEGORY_NOT_SPACE: r"\S",
    c.CATEGORY_WORD: r"\w",
    c.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT)
_ZERO_WIDTH = (c.AT, c.ASSERT, c.ASSERT_NOT)
Node = tuple[Any, Any]


def shapes(pattern: re.Pattern[str]) -> list[str]:
    """The backtracking shapes in ``pattern`` (an empty list if none)."""
    reader = _Reader(pattern.flags)
    tree = list(sre.parse(pattern.pattern, pattern.flags))
    found = reader.sequence(tree)
    alternatives = tree[0][1][1] if len(tree) == 1 and tree[0][0] is c.BRANCH else [tree]
    for alternative in alternatives:
        found += reader.leading(list(alternative))
    return found


class _Reader:
    def __init__(self, flags: int) -> None:
        self.flags = flags

    # What a node can match: one character's set, where a match starts and ends, empty or not.
    def one(self, node: Node) -> frozenset[str]:
        op, av = node
        if op is c.LITERAL:
            return self.cased({chr(av)})
        if op is c.NOT_LITERAL:
            return SAMPLE - self.cased({chr(av)})
        if op is c.ANY:
            return SAMPLE if self.flags & re.DOTALL else SAMPLE - {"\n"}
        items = list(av)
        negate = bool(items) and items[0][0] is c.NEGATE
        chars: set[str] = set()
        for kind, value in items[negate:]:
            if kind is c.LITERAL:
                chars.add(chr(value))
            elif kind is c.RANGE:
                chars.update(ch for ch in SAMPLE if value[0] <= ord(ch) <= value[1])
            elif kind is c.CATEGORY:
                category = re.compile(_CATEGORIES[value], self.flags & re.ASCII)
                chars.update(ch for ch in SAMPLE if category.fullmatch(ch))
        cased = self.cased(chars) & SAMPLE
        return SAMPLE - cased if negate else cased

    def cased(self, chars: Iterable[str]) -> frozenset[str]:
        chars = set(chars)
        if self.flags & re.IGNORECASE:
            chars |= {ch.lower() for ch in chars} | {ch.upper() for ch in chars}
        return frozenset(chars)

    def children(self, node: Node) -> list[list[Node]]:
        op, av = node
        if op in _REPEATS or op is c.POSSESSIVE_REPEAT:
            return [list(av[2])]
        if op is c.SUBPATTERN:
            return [list(av[3])]
        if op is c.ATOMIC_GROUP:
            return [list(av)]
        if op is c.BRANCH:
            return [list(alt) for alt in av[1]]
        return []

    def nullable(self, seq: Sequence[Node]) -> bool:
        return all(self.node_nullable(n) for n in seq)

    def node_nullable(self, node: Node) -> bool:
        op, av = node
        if op in _ZERO_WIDTH or op is c.GROUPREF:
            return True
        if op in _REPEATS or op is c.POSSESSIVE_REPEAT:
            return av[0] == 0 or self.nullable(av[2])
        if op is c.BRANCH:
            return any(self.nullable(alt) for alt in av[1])
        kids = self.children(node)
        return bool(kids) and self.nullable(kids[0])

    def chars(self, seq: Sequence[Node]) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for node in seq:
            op = node[0]
            if op in _ZERO_WIDTH:
                continue
            if op is c.GROUPREF:
                return SAMPLE
            kids = self.children(node)
            out |= frozenset().union(*map(self.chars, kids)) if kids else self.one(node)
        return out

    def first(self, seq: Sequence[Node]) -> frozenset[str]:
        return self.edge(seq, self.first)

    def last(self, seq: Sequence[Node]) -> frozenset[str]:
        return self.edge(list(reversed(seq)), self.last)

    def edge(
        self, seq: Sequence[Node], inner: Callable[[Sequence[Node]], frozenset[str]]
    ) -> frozenset[str]:
        """The characters a match of ``seq`` can start with (``inner``: the same question
        for a node's children, asked of the first or the last end)."""
        out: frozenset[str] = frozenset()
        for node in seq:
            if node[0] not in _ZERO_WIDTH:
                kids = self.children(node)
                out |= frozenset().union(*map(inner, kids)) if kids else self.one(node)
            if not self.node_nullable(node):
                break
        return out

    def unbounded(self, node: Node) -> bool:
        op, av = node
        return op in _REPEATS and (av[1] is c.MAXREPEAT or av[1] >= 50)

    def has_unbounded(self, seq: Sequence[Node]) -> bool:
        return any(
            self.unbounded(n) or any(self.has_unbounded(k) for k in self.children(n)) for n in seq
        )

    # The three shapes.
    def sequence(self, seq: list[Node]) -> list[str]:
        found: list[str] = []
        for i, node in enumerate(seq):
            for kid in self.children(node):
                found += self.sequence(kid)
            if not self.unbounded(node):
                continue
            body = list(node[1][2])
            if self.has_unbounded(body) and (
                self.nullable(body) or self.first(body) & self.last(body)
            ):
                found.append(f"nested: {node!r}")
            found += self.adjacent(seq, i)
        return found

    def adjacent(self, seq: list[Node], i: int) -> list[str]:
        own = self.chars([seq[i]])
        for j in range(i + 1, len(seq)):
            node = seq[j]
            if self.unbounded(node):
                shared = self.chars([node]) & own
                if shared and self.first(seq[i + 1 : j + 1]) & own:
                    return [f"adjacent: {seq[i]!r} ... {node!r}"]
            if not self.node_nullable(node) and not self.chars([node]) <= own:
                return []  # a character the first repeat cannot take: the split is fixed
        return []

    def leading(self, seq: list[Node]) -> list[str]:
        while seq and seq[0][0] is c.SUBPATTERN:
            seq = list(seq[0][1][3]) + seq[1:]
        if seq and seq[0][0] is c.BRANCH:
            return [f for alt in seq[0][1][1] for f in self.leading(list(alt) + seq[1:])]
        while seq and seq[0][0] in _ZERO_WIDTH:
            op, av = seq[0]
            if op is c.AT and (
                av is c.AT_BEGINNING_STRING or (av is c.AT_BEGINNING and not self.flags & re.M)
            ):
                return []  # one place to start from
            seq = seq[1:]
        if seq and self.unbounded(seq[0]) and not self.nullable(seq[1:]):
            return [f"leading: {seq[0]!r}"]
        return []
