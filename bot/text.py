"""Fitting text into a platform's limits without hiding that it was cut."""

from __future__ import annotations


def cap(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut with a note saying so (in a
    field too short for the note, such as a 24-character title, an ellipsis says it).

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
        if keep < limit // 2:  # the note would crowd out the text itself
            break
    return text[: max(limit - 1, 0)] + "…" if limit > 0 else ""


def unperiod(text: str) -> str:
    """``text`` without the one full stop it ends with, for a template that adds its own:
    ``unperiod("Ablate the beam size.") == "Ablate the beam size"``; an ellipsis stays."""
    text = text.rstrip()
    if text.endswith(".") and not text.endswith(".."):
        return text[:-1]
    return text
