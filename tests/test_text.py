"""Text cut to a platform's limit says that it was cut."""

from __future__ import annotations

import pytest

from bot.text import cap


def test_short_text_is_untouched() -> None:
    assert cap("fits", 10) == "fits"


@pytest.mark.parametrize("length", [61, 100, 3001, 99_999])
@pytest.mark.parametrize("limit", [60, 2000, 3000])
def test_long_text_fits_and_counts_what_was_cut(length: int, limit: int) -> None:
    text = "y" * length
    cut = cap(text, limit)
    if length <= limit:
        assert cut == text
        return
    assert len(cut) <= limit
    kept = cut.index("…")
    assert cut.endswith(f"(cut: {length - kept} more characters)")


def test_a_field_too_short_for_the_note_gets_an_ellipsis() -> None:
    assert cap("A title far longer than twenty-four characters", 24) == "A title far longer than…"
