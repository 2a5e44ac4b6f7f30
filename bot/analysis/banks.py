"""The example banks of ``prompts/examples.yaml``, their vectors and the probes trained on them.

The banks are text a person edits; their vectors and the signals' probes
(``bot.analysis.probes``) are derived data, cached in ``bot/analysis/data/examples.npz`` so a
cold start does not embed 600 sentences. The cache is keyed by the sha256 of the bank text, of
the model and of the probe settings: when any changes, everything is computed at load (and
``python -m bot.analysis.calibrate --write`` refreshes the cache). Only the cache holds the
probes that also learnt from the labelled dev check-ins (the package ships no labelled data):
probes computed at load learn from the banks alone, and the log says so.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.analysis.embedder import MODEL_SHA256, Embedder
from bot.analysis.probes import PROBE_VERSION, Weights, train_probes
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
        lists["cohort.updates"] = self.cohort.updates
        return lists


@dataclass(frozen=True)
class BankVectors:
    """One matrix (rows L2-normalised) per named list, the sentences themselves, one probe
    per signal, and the check-in probes of the accusing signals (``bot.analysis.gated``;
    empty when the cache has none)."""

    texts: dict[str, tuple[str, ...]]
    vectors: dict[str, Matrix]
    probes: dict[str, Weights]
    gated: dict[str, Weights] = field(default_factory=dict)


def bank_text() -> str:
    return resources.files("prompts").joinpath(BANK_FILE).read_text(encoding="utf-8")


def load_examples(text: str | None = None) -> Examples:
    """Parse and validate the banks; raises ``ValueError`` naming what is wrong."""
    data = yaml.safe_load(text if text is not None else bank_text())
    return Examples.model_validate(data)


def cache_key(text: str) -> str:
    """What the cached vectors were computed from: the banks, the model and the probe settings."""
    source = MODEL_SHA256 + "\n" + PROBE_VERSION + "\n" + text
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def cache_path() -> Path:
    return Path(str(resources.files("bot.analysis").joinpath("data", CACHE_FILE)))


def compute_vectors(examples: Examples, embedder: Embedder) -> BankVectors:
    texts = examples.named_lists()
    vectors = {name: embedder.embed(rows) for name, rows in texts.items()}
    return BankVectors(texts, vectors, train_probes(vectors))


def read_cache(key: str, texts: dict[str, tuple[str, ...]]) -> BankVectors | None:
    """The cached vectors and probes if they were made from exactly these banks and this model."""
    path = cache_path()
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as stored:
        if str(stored["key"]) != key or any(name not in stored for name in texts):
            return None
        vectors = {name: stored[name].astype(np.float32) for name in texts}
        probes = {name: stored[f"probe.{name}"].astype(np.float32) for name in SIGNAL_NAMES}
        gated = {
            name.removeprefix("gated."): stored[name].astype(np.float32)
            for name in stored.files
            if name.startswith("gated.")
        }
    if any(vectors[name].shape[0] != len(rows) for name, rows in texts.items()):
        return None
    return BankVectors(texts, vectors, probes, gated)


def write_cache(key: str, vectors: BankVectors, path: Path | None = None) -> Path:
    """Store the vectors as float16 (half the size; cosines move by < 1e-3), probes as float32."""
    target = path or cache_path()
    arrays: dict[str, npt.NDArray[np.generic]] = {"key": np.array(key)}
    arrays.update({name: matrix.astype(np.float16) for name, matrix in vectors.vectors.items()})
    arrays.update({f"probe.{name}": weights for name, weights in vectors.probes.items()})
    arrays.update({f"gated.{name}": weights for name, weights in vectors.gated.items()})
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
        return cached
    log.warning(
        "prompts/%s changed since its vectors were cached: computing them now, with probes "
        "trained on the banks alone (python -m bot.analysis.calibrate --write refreshes the "
        "cache and trains them on the dev check-ins too)",
        BANK_FILE,
    )
    return compute_vectors(examples, embedder)
