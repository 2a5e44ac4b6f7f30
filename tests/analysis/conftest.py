"""The embedded model loads once per test session; tests that switch it off or break it put the
loaded analyser back afterwards instead of loading it again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import bot.analysis as analysis
from bot.analysis.semantic import SemanticAnalyzer


@pytest.fixture(scope="session")
def semantic() -> SemanticAnalyzer:
    """The shipped analyser (model, example banks, calibration), loaded once."""
    analysis.configure()
    loaded = analysis.semantic_analyzer()
    assert loaded is not None, analysis.status()
    return loaded


@pytest.fixture
def restore_analysis(semantic: SemanticAnalyzer) -> Iterator[None]:
    """Let a test reconfigure the analysis; afterwards the loaded analyser is back in place."""
    yield
    analysis.configure()
    analysis._state.analyzer = semantic
