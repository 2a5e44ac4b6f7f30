"""The example banks of ``prompts/examples.yaml`` and their cached vectors.

The banks are text a person edits; their vectors are derived data, cached in
``bot/analysis/data/examples.npz`` so a cold start does not embed 300 sentences. The cache is
keyed by the sha256 of the bank text and of the model: when either changes, the vectors are
computed at load (and ``python -m bot.analysis.calibrate --write`` refreshes the cache).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.analysis.embedder import MODEL_SHA256, Embedder
from bot.analysis.signals import SIGNAL_NAMES

log = logging.getLogger(__name__)

BANK_FILE = "examples.yaml"
CACHE_FILE = "examples.npz"

Matrix = npt.NDArray[np.float32]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SignalBank(_Strict):
    like: tuple[str, ...] = Field(min_length=5)
    unlike: tuple[str, ...] = Field(min_length=5)


class Cohort(_Strict):
    goals: tuple[str, ...] = Field(min_length=10)
    updates: tuple[str, ...] = Field(min_length=5)


class Examples(_Strict):
    role_model_mimicry: SignalBank
    idea_driven: SignalBank
    failure: SignalBank
    off_goal: tuple[str, ...] = Field(min_length=5)
    cohort: Cohort

    def signal(self, name: str) -> SignalBank:
        bank: SignalBank = getattr(self, name)
        return bank

    def named_lists(self) -> dict[str, tuple[str, ...]]:
        """Every list of sentences by a stable name, e.g. ``"failure.like"``."""
        lists: dict[str, tuple[str, ...]] = {}
        for name in SIGNAL_NAMES:
            lists[f"{name}.like"] = self.signal(name).like
            lists[f"{name}.unlike"] = self.signal(name).unlike
        lists["off_goal"] = self.off_goal
        lists["cohort.goals"] = self.cohort.goals
        return lists


@dataclass(frozen=True)
class BankVectors:
    """One matrix (rows L2-normalised) per named list, plus the sentences themselves."""

    texts: dict[str, tuple[str, ...]]
    vectors: dict[str, Matrix]


def bank_text() -> str:
    return resources.files("prompts").joinpath(BANK_FILE).read_text(encoding="utf-8")


def load_examples(text: str | None = None) -> Examples:
    """Parse and validate the banks; raises ``ValueError`` naming what is wrong."""
    data = yaml.safe_load(text if text is not None else bank_text())
    return Examples.model_validate(data)


def cache_key(text: str) -> str:
    """What the cached vectors were computed from: the banks and the model."""
    return hashlib.sha256((MODEL_SHA256 + "\n" + text).encode("utf-8")).hexdigest()


def cache_path() -> Path:
    return Path(str(resources.files("bot.analysis").joinpath("data", CACHE_FILE)))


def compute_vectors(examples: Examples, embedder: Embedder) -> BankVectors:
    texts = examples.named_lists()
    return BankVectors(texts, {name: embedder.embed(rows) for name, rows in texts.items()})


def read_cache(key: str, texts: dict[str, tuple[str, ...]]) -> dict[str, Matrix] | None:
    """The cached vectors if they were made from exactly these banks and this model."""
    path = cache_path()
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as stored:
        if str(stored["key"]) != key:
            return None
        vectors = {name: stored[name].astype(np.float32) for name in texts}
    if any(vectors[name].shape[0] != len(rows) for name, rows in texts.items()):
        return None
    return vectors


def write_cache(key: str, vectors: BankVectors, path: Path | None = None) -> Path:
    """Store the vectors as float16 (half the size; cosines move by < 1e-3)."""
    target = path or cache_path()
    arrays: dict[str, npt.NDArray[np.generic]] = {"key": np.array(key)}
    arrays.update({name: matrix.astype(np.float16) for name, matrix in vectors.vectors.items()})
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    target.write_bytes(buffer.getvalue())
    return target


def load_bank_vectors(embedder: Embedder) -> BankVectors:
    """The banks' vectors: from the cache when it is fresh, else computed now."""
    text = bank_text()
    examples = load_examples(text)
    texts = examples.named_lists()
    cached = read_cache(cache_key(text), texts)
    if cached is not None:
        return BankVectors(texts, cached)
    log.info(
        "prompts/%s changed since its vectors were cached: computing them now "
        "(python -m bot.analysis.calibrate --write refreshes the cache)",
        BANK_FILE,
    )
    return compute_vectors(examples, embedder)
