"""A small phrase language over words, matched in linear time: how cue phrases are written.

A phrase is words separated by spaces; each word is one *slot*:

- ``stuck`` a word; ``diverg*`` any word starting so; ``did|does`` one of several;
- ``not?`` a slot that may be missing; ``..`` up to 3 words of any kind; ``...`` up to 8;
- ``^`` the start of a sentence, ``$`` the end of a clause (neither takes a word); ``_`` any
  one word (not punctuation);
- ``<who>``, ``<num>``, ``<cap>``: a named class (``CLASSES``), e.g. ``<who>`` a famous person
  or lab (one to three words); ``<num>`` a number; ``<cap>`` a capitalised word that is not a
  common one and is written as a name ("Isensee", "DeepMind"; not "I", "The", "Monday", nor
  an acronym or code such as "GBS" or "Exp12");
- punctuation is a word of its own, so ``like <who> ,`` needs the comma. Gaps never cross a
  sentence end.

Text is lower-cased, typographic quotes folded, and negative contractions split, so ``didn't``,
``didnt`` and ``did not`` all read as ``did not``; ``DeepMind's`` reads as ``deepmind 's``;
hyphens inside a word go (``fine-tuned`` reads as ``finetuned``).

Why not regular expressions: about 2,000 alternation branches of hand-written regexes were hard
to review, and some took seconds on hostile input. Here each phrase is tried at each word with a
bounded amount of work (its slots, its gaps), so matching is linear in the length of the text.

>>> book = PhraseBook.compile({"stuck": ["still? stuck on|with"], "nan": ["loss .. nan"]})
>>> [m.key for m in book.find(tokenize("The loss is NaN again, still stuck on it."))]
['nan', 'stuck']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count
from operator import itemgetter
from typing import NamedTuple

__all__ = [
    "CLASSES",
    "GAP_LONG",
    "GAP_SHORT",
    "SENTENCE_ENDS",
    "Match",
    "PhraseBook",
    "Token",
    "tokenize",
    "word_set",
]

GAP_SHORT = 3  # words ".." may skip
GAP_LONG = 8  # words "..." may skip
SENTENCE_ENDS = frozenset({".", "!", "?", ";", "\n"})
CLAUSE_ENDS = SENTENCE_ENDS | frozenset({",", ":", "(", ")", "-", "—", "–"})


def word_set(text: str) -> frozenset[str]:
    """A set of words written as whitespace-separated text (easier to read and extend)."""
    return frozenset(text.split())


# Typographic quotes and dashes folded to their plain forms; and "İ", the one character whose
# lower case is two characters long, so that lower-casing keeps every word where it was typed.
_FOLD = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2014": "-", "\u2013": "-", "\u0130": "I"}
)
# Words (with an inner apostrophe or slash: "didn't", "b/c", "n/a"), numbers, punctuation.
_TOKEN = re.compile(r"[a-z0-9]+(?:[-./'][a-z0-9]+)*|'s\b|\n|[^\sa-z0-9]")
_NEGATIVE = re.compile(r"^(\w+?)(n't|nt)$")
# Contractions whose "nt" form is also a word of its own ("want", "cant" is taken as "can not").
_NEGATIVE_STEMS = word_set(
    "do does did is are was were has have had could would should ca wo ai must need might"
)
_IRREGULAR = {"can't": ("can", "not"), "cannot": ("can", "not"), "won't": ("will", "not")}
_IRREGULAR |= {"cant": ("can", "not"), "wont": ("will", "not"), "ain't": ("is", "not")}


class Token(NamedTuple):
    """One word of the text: its folded form, where it is, and whether it was capitalised.
    (A named tuple: a long text makes thousands, four times faster than a frozen dataclass.)"""

    text: str
    start: int
    end: int
    capital: bool = False


def _name_like(word: str) -> bool:
    """Whether ``word`` is written as a name is ("Stanford", "DeepMind", "Coley's"): a capital
    first, and not an acronym, a code or a variable ("GBS", "TP", "Exp12", "WRN-28-10"), which
    research notes are full of and which name no one to copy."""
    stem = word[:-2] if word.endswith("'s") else word
    return (
        stem[:1].isupper()
        and not (len(stem) > 1 and stem.isupper())
        and not any(c.isdigit() for c in stem)
    )


def tokenize(text: str) -> list[Token]:
    """The words of ``text``, lower-cased, with negative contractions split."""
    folded = text.translate(_FOLD)
    lowered = folded.lower()
    out: list[Token] = []
    for match in _TOKEN.finditer(lowered):
        word = match.group()
        start, end = match.span()
        if end - start == 1:  # a mark or a letter alone: no hyphen, contraction or "'s"
            out.append(Token(word, start, end, False))
            continue
        # "nerd-sniped" reads as "nerdsniped", "fine-tune" as "finetune".
        if word[:1].isalnum():
            word = word.replace("-", "")
        capital = _name_like(folded[start:end])
        if word.endswith("'s") and len(word) > 2:
            out.append(Token(word[:-2], start, end - 2, capital))
            out.append(Token("'s", end - 2, end))
            continue
        pair = _IRREGULAR.get(word)
        joined = word.replace("'", "")
        # Only a word ending so can be a negative contraction: the others skip the pattern.
        negative = _NEGATIVE.match(joined) if joined.endswith("nt") else None
        if pair is None and negative and negative.group(1) in _NEGATIVE_STEMS:
            pair = (negative.group(1), "not")
        if pair is not None:
            out.append(Token(pair[0], start, end, capital))
            out.append(Token(pair[1], start, end))
            continue
        out.append(Token(word, start, end, capital))
    return out


# Named classes of words. ``<who>``: people and labs whose name alone can be a reason to copy.
_WHO = """
karpathy | andrej karpathy | hinton | geoff hinton | geoffrey hinton | lecun | yann lecun |
bengio | yoshua bengio | sutskever | ilya sutskever | ilya | schulman | john schulman |
amodei | dario amodei | hassabis | demis hassabis | jeff dean | fei-fei li | andrew ng |
jason wei | noam shazeer | sam altman | kaiming | kaiming he | chris olah | percy liang |
sergey levine | pieter abbeel | chelsea finn | jim fan | yi tay | lilian weng | tri dao |
sebastian raschka | francois chollet | jeremy howard | richard sutton | sutton | david silver |
oriol vinyals | quoc le | ashish vaswani | alec radford | greg brockman | elon musk |
openai | deepmind | google deepmind | google brain | google research | google | anthropic |
meta | meta ai | facebook | microsoft research | microsoft | nvidia | hugging face |
huggingface | mistral | apple | amazon | tesla | deepseek | alibaba | qwen team | stanford |
berkeley | cmu | eleutherai | allen ai | ai2 | fair | meta fair | gdm | msr | bair | mila |
csail | mit | eth zurich | epfl | oxford | princeton | harvard | ecmwf | nasa | cern | ibm |
baidu | bytedance | tencent | samsung | sony | waymo | netflix | pinterest | spotify | airbnb |
uber | doordash | linkedin | czi | chan zuckerberg | arc institute | the big labs | big labs |
frontier labs |
the frontier labs | top labs | the top labs | big tech | the big players | the big guys |
my hero | my idol | my advisor's hero | a famous lab | the famous lab | famous labs |
a famous researcher | the famous researcher | a big lab | the big lab | a top lab | the top lab
"""
_NUMBER = re.compile(r"^\d+(?:[.,/]\d+)*$")
# Capitalised words that name no one: pronouns, articles, days, months, common sentence starts.
_NOT_NAMES = word_set(
    """
    i we you he she they it me us them my our your his her their this that these those a an the
    and but so or if then also still just not no yes ok okay maybe now next last first second
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december week today tomorrow yesterday
    tried trying ran running started added fixed moved switched used using did done got went
    new old more less some all any most much many few one two three four five six seven eight
    nine ten what why how when where which who whom whose there here rationale honestly edit
    python pytorch jax tensorflow numpy linux git github slack excel adam adamw sgd gpu cpu tpu
    """
)


def _who() -> frozenset[tuple[str, ...]]:
    return frozenset(
        tuple(t.text for t in tokenize(name.strip())) for name in _WHO.split("|") if name.strip()
    )


CLASSES: Mapping[str, frozenset[tuple[str, ...]]] = {"who": _who()}
"""Classes of one- to three-word names; ``<num>`` (any number) is built in."""
_FIRST_WORDS = {name: frozenset(n[0] for n in names) for name, names in CLASSES.items()}


@dataclass(frozen=True)
class _Slot:
    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    klass: str = ""
    optional: bool = False
    gap: int = 0  # > 0: skip up to this many words
    sentence_start: bool = False  # "^": no word, only at the start of a sentence
    clause_end: bool = False  # "$": no word, only at the end of a clause

    def heads(self, tokens: Sequence[Token], i: int) -> Iterable[int]:
        """Where the text continues after this slot matched at ``i`` (none: no match)."""
        if self.sentence_start:
            return (i,) if i == 0 or tokens[i - 1].text in SENTENCE_ENDS else ()
        if self.clause_end:
            return (i,) if i == len(tokens) or tokens[i].text in CLAUSE_ENDS else ()
        if i >= len(tokens):
            return ()
        word = tokens[i].text
        if self.klass == "num":
            return (i + 1,) if _NUMBER.match(word) else ()
        if self.klass == "any":
            return (i + 1,) if word[:1].isalnum() else ()
        if self.klass == "cap":
            named = tokens[i].capital and word[:1].isalpha() and word not in _NOT_NAMES
            return (i + 1,) if named else ()
        if self.klass:
            names = CLASSES[self.klass]
            return tuple(
                i + n
                for n in (3, 2, 1)
                if tuple(t.text for t in tokens[i : i + n]) in names and i + n <= len(tokens)
            )
        if word in self.words or any(word.startswith(p) for p in self.prefixes):
            return (i + 1,)
        return ()

    def takes(self, word: str, capital: bool) -> bool:
        """Whether this slot (one that reads words) could take ``word`` as its first: what
        ``heads`` would say, or more, judged from the word alone."""
        if self.klass == "num":
            return bool(_NUMBER.match(word))
        if self.klass == "any":
            return word[:1].isalnum()
        if self.klass == "cap":
            return capital and word[:1].isalpha() and word not in _NOT_NAMES
        if self.klass:
            return word in _FIRST_WORDS[self.klass]
        return word in self.words or any(word.startswith(p) for p in self.prefixes)


def _openers(slots: Sequence[_Slot]) -> tuple[_Slot, ...] | None:
    """The slots that can take a match's first word (``None``: any word can, after a gap)."""
    found: list[_Slot] = []
    for slot in slots:
        if slot.sentence_start or slot.clause_end:
            continue  # takes no word: the next slot takes the first one
        if slot.gap:
            return None
        found.append(slot)
        if not slot.optional:
            break
    return tuple(found)


def _slot(spec: str) -> _Slot:
    optional = spec.endswith("?") and len(spec) > 1
    spec = spec[:-1] if optional else spec
    if spec == "^":
        return _Slot(sentence_start=True)
    if spec == "$":
        return _Slot(clause_end=True)
    if spec == "_":
        return _Slot(klass="any")
    if spec in ("..", "..."):
        return _Slot(gap=GAP_SHORT if spec == ".." else GAP_LONG)
    if spec.startswith("<") and spec.endswith(">"):
        name = spec[1:-1]
        if name not in ("num", "cap") and name not in CLASSES:
            raise ValueError(f"unknown class {spec}")
        return _Slot(klass=name, optional=optional)
    words, prefixes = set(), []
    for option in spec.split("|"):
        forms = [t.text for t in tokenize(option.rstrip("*"))]
        if not forms:
            raise ValueError(f"empty alternative in {spec!r}")
        if len(forms) > 1:  # "didn't" as one option: write it as "did not" instead
            raise ValueError(f"{option!r} reads as several words ({' '.join(forms)})")
        (prefixes.append(forms[0]) if option.endswith("*") else words.add(forms[0]))
    return _Slot(frozenset(words), tuple(prefixes), optional=optional)


_TEXT = itemgetter(0)
_TEXT_AND_CAPITAL = itemgetter(0, 3)


@dataclass(frozen=True)
class Match:
    """Phrase ``key`` matched the words ``first`` to ``last`` (inclusive) of the text."""

    key: str
    first: int
    last: int
    start: int  # character offsets in the text
    end: int


@dataclass(frozen=True)
class _Phrase:
    key: str
    source: str
    slots: tuple[_Slot, ...]

    def possible(self, present: frozenset[str]) -> bool:
        """Whether each word the phrase cannot do without is among the ``present`` ones (if
        not, it matches nowhere in that text and need not be tried word by word)."""
        return all(
            not slot.words.isdisjoint(present)
            for slot in self.slots
            if slot.words and not (slot.optional or slot.prefixes or slot.klass)
        )

    def match_at(self, tokens: Sequence[Token], i: int) -> int | None:
        """The index after the shortest match starting at word ``i``, or None."""
        heads = {i}
        for slot in self.slots:
            after: set[int] = set()
            for j in heads:
                if slot.gap:
                    for k in range(j, min(len(tokens), j + slot.gap) + 1):
                        after.add(k)
                        if k < len(tokens) and tokens[k].text in SENTENCE_ENDS:
                            break
                    continue
                if slot.optional:
                    after.add(j)
                after.update(slot.heads(tokens, j))
            if not after:
                return None
            heads = after
        real = [h for h in heads if h > i]
        return min(real) if real else None  # a match takes at least one word


def _compile(key: str, source: str) -> _Phrase:
    try:
        slots = tuple(_slot(part) for part in source.split())
    except ValueError as exc:
        raise ValueError(f"phrase {source!r} of {key!r}: {exc}") from None
    if not slots or all(s.gap or s.optional or s.sentence_start or s.clause_end for s in slots):
        raise ValueError(f"phrase {source!r} of {key!r} needs at least one required word")
    if slots[0].gap or slots[-1].gap:
        raise ValueError(f"phrase {source!r} of {key!r} cannot start or end with a gap")
    return _Phrase(key, source, slots)


@dataclass(frozen=True)
class PhraseBook:
    """Many phrases, each under a key; ``find`` returns every match, in text order.

    Phrases are indexed by their first word, so each word of the text tries only the phrases
    that can start there.
    """

    phrases: tuple[_Phrase, ...]
    by_word: Mapping[str, tuple[_Phrase, ...]]
    anywhere: tuple[_Phrase, ...]  # first slot optional, a prefix or a class: tried everywhere
    # The phrases that can start at a word (by its text and capital): those of ``by_word``,
    # then those of ``anywhere`` whose first word it can be; remembered per word, so a text of
    # 3,000 punctuation marks tries a handful of phrases, not all of them.
    starting: Callable[[str, bool], tuple[_Phrase, ...]] = field(init=False, compare=False)
    # The words that can start a phrase, when only named words can (``None``: a prefix, a
    # class or a gap can take a first word too): any other word is passed over at once.
    first_words: frozenset[str] | None = field(init=False, compare=False)

    def __post_init__(self) -> None:
        openers = [_openers(p.slots) for p in self.anywhere]
        words = set(self.by_word)
        for slots in openers:
            for slot in slots or ():
                words |= slot.words
        plain = all(
            slots is not None and not any(s.prefixes or s.klass for s in slots) for slots in openers
        )
        object.__setattr__(self, "first_words", frozenset(words) if plain else None)

        def starting(word: str, capital: bool) -> tuple[_Phrase, ...]:
            anywhere = (
                phrase
                for phrase, slots in zip(self.anywhere, openers, strict=True)
                if slots is None or any(s.takes(word, capital) for s in slots)
            )
            return (*self.by_word.get(word, ()), *anywhere)

        object.__setattr__(self, "starting", lru_cache(maxsize=8192)(starting))

    @classmethod
    def compile(cls, phrases: Mapping[str, Iterable[str]]) -> PhraseBook:
        """``{"key": ["phrase", ...]}``; raises ``ValueError`` naming a phrase it cannot read."""
        compiled = tuple(_compile(k, p) for k, sources in phrases.items() for p in sources)
        by_word: dict[str, list[_Phrase]] = {}
        anywhere: list[_Phrase] = []
        for phrase in compiled:
            first = phrase.slots[0]
            if first.optional or first.prefixes or first.klass or first.sentence_start:
                anywhere.append(phrase)
                continue
            for word in first.words:
                by_word.setdefault(word, []).append(phrase)
        return cls(compiled, {w: tuple(p) for w, p in by_word.items()}, tuple(anywhere))

    def find(self, tokens: Sequence[Token]) -> list[Match]:
        found: list[Match] = []
        reached: dict[str, int] = {}  # per key, the last word already inside a match
        # Built with map and itemgetter: a pass in C over a text's thousands of words.
        words = list(map(_TEXT_AND_CAPITAL, tokens))
        present = frozenset(map(_TEXT, tokens))
        # Per distinct word, the phrases that can start there; then only the words with some
        # are visited (most words of a long text start none).
        first = self.first_words
        tried = {
            word: kept
            for word in set(words)
            if (first is None or word[0] in first)
            and (starting := self.starting(*word))
            and (kept := tuple(p for p in starting if p.possible(present)))
        }
        for i in compress(count(), map(tried.__contains__, words)):
            token = tokens[i]
            for phrase in tried[words[i]]:
                end = phrase.match_at(tokens, i)
                if end is None or end - 1 <= reached.get(phrase.key, -1):
                    continue  # "still stuck" found at "still": not again at "stuck"
                reached[phrase.key] = end - 1
                found.append(Match(phrase.key, i, end - 1, token.start, tokens[end - 1].end))
        return found


@lru_cache(maxsize=256)
def cached_tokens(text: str) -> tuple[Token, ...]:
    """``tokenize`` with the last texts remembered (one update is read by several books)."""
    return tuple(tokenize(text))
