"""The phrase language of the cue data (``bot.analysis.phrases``): how text is cut into words,
what each slot matches, and that matching stays linear on hostile input (counted, not timed)."""

from __future__ import annotations

import pytest

import bot.analysis as analysis
from bot.analysis import phrases
from bot.analysis.phrases import PhraseBook, tokenize

HOSTILE = {
    "digits": "1," * 1500,
    "because": "because " * 400,
    "crowd": "everyone is on " * 200,
    "negations": "not no never " * 230,
    "names": "like Karpathy does, " * 150,
    "unicode": "ʼ’—–" * 750,
}


def words(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


def keys(book: PhraseBook, text: str) -> list[str]:
    return [m.key for m in book.find(tokenize(text))]


def test_contractions_possessives_hyphens_and_quotes_are_folded() -> None:
    assert words("I didn't copy DeepMind’s set-up") == [
        "i", "did", "not", "copy", "deepmind", "'s", "setup",
    ]  # fmt: skip
    assert words("can't, won't, isnt") == ["can", "not", ",", "will", "not", ",", "is", "not"]
    assert words("0.25 -> 0.4") == ["0.25", "-", ">", "0.4"]


@pytest.mark.parametrize(
    ("phrase", "text", "fires"),
    [
        ("diverg*", "the loss diverged", True),
        ("not? stuck", "stuck again", True),
        ("loss .. nan", "loss went to NaN", True),
        ("loss .. nan", "loss. Later a NaN", False),  # gaps never cross a sentence end
        ("loss ... nan", "loss went all the way up to nan", True),
        ("^ like <who> ,", "Like OpenAI, we scaled it", True),
        ("^ like <who> ,", "big labs like OpenAI, Meta", False),
        ("<cap> 's group", "Isensee's group runs it", True),
        ("<cap> 's group", "the group runs it", False),
        ("killed _", "killed graphrag", True),
        ("from <num> to <num>", "from 41 to 47", True),
        ("did|does not help", "it doesn't help", True),
    ],
)
def test_each_kind_of_slot(phrase: str, text: str, fires: bool) -> None:
    assert (keys(PhraseBook.compile({"k": [phrase]}), text) == ["k"]) is fires


@pytest.mark.parametrize(
    "phrase",
    ["", ".. stuck", "stuck ..", "<nobody>", "didn't work", "not?"],
)
def test_a_phrase_that_cannot_be_read_is_refused_with_its_name(phrase: str) -> None:
    with pytest.raises(ValueError, match=r"phrase|class"):
        PhraseBook.compile({"k": [phrase]})


def test_matching_work_grows_linearly_with_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every phrase of every cue file, run on hostile text of n and 2n words: the number of
    phrase attempts doubles, no more (a backtracking matcher's grows much faster)."""
    from bot.analysis.cuebook import cue_book

    attempts = 0
    original = phrases._Phrase.match_at

    def counted(self: phrases._Phrase, tokens: object, i: int) -> int | None:
        nonlocal attempts
        attempts += 1
        return original(self, tokens, i)  # type: ignore[arg-type]

    monkeypatch.setattr(phrases._Phrase, "match_at", counted)
    books = [s.book for s in cue_book().signals.values()]
    for text in HOSTILE.values():
        counts = []
        for size in (len(text) // 2, len(text)):
            attempts = 0
            tokens = tokenize(text[:size])
            for book in books:
                book.find(tokens)
            counts.append(attempts)
        assert counts[1] <= 2.2 * counts[0] + 50, (text[:20], counts)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_read_to_the_end(name: str) -> None:
    signals = analysis.rules_analyze("Transcribe clinic audio; WER", HOSTILE[name])
    assert 0.0 <= signals.goal_alignment <= 1.0
