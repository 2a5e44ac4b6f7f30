"""Fakes of external services, each on 127.0.0.1 port 0, recording what they received."""

from typing import Any

created: list[Any] = []
"""Every fake built since the current test began: the suite-wide privacy check
(``tests/privacy.py``) reads what each was sent. ``tests/conftest.py`` empties it per test."""
