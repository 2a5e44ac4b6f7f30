"""Fitting text into a platform's limits without hiding that it was cut."""

from __future__ import annotations


def cap(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut with a note saying so.

    >>> cap("abcdefghij" * 10, 60)
    'abcdefghijabcdefghijabcdefghijabc… (cut: 67 more characters)'
    """
    if len(text) <= limit:
        return text
    keep = limit
    while keep >= 0:
        note = f"… (cut: {len(text) - keep} more characters)"
        if keep + len(note) <= limit:
            return text[:keep] + note
        keep = min(keep - 1, limit - len(note))
    raise ValueError(f"limit {limit} is too small to say what was cut")
