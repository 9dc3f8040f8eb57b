"""Text embeddings for matching: meaning rather than shared words, from a model inside a wheel.

WordLlama 0.4 (``wordllama`` on PyPI) ships its 256-dimension token embeddings and tokenizer
inside the package (about 16 MB), so nothing is downloaded at run time: the loader is told
``disable_download=True``. Its loader looks for the bundled tokenizer under a ``tokenizers/``
folder of a cache directory (the package's own folder name) rather than the ``tokenizer/`` it
tries first, so the package folder itself is given as the cache directory.

An embedding is the average of its tokens' vectors, normalised: cheap (thousands of texts in a
fraction of a second) and good enough to tell a seller's posting from an accountant's when they
share few words. Pure: texts in, a float32 array out; the model is loaded once per process and
only read after that (it is code, not state).

>>> vectors = embed(["Close deals against a quota", "Negotiate and win new business"])
>>> vectors.shape, round(float(vectors[0] @ vectors[0]), 3)
((2, 256), 1.0)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DIMENSIONS = 256


@functools.cache
def _model():
    import wordllama
    from wordllama import WordLlama

    model = WordLlama.load(
        dim=DIMENSIONS, cache_dir=Path(wordllama.__file__).parent, disable_download=True
    )
    # The library pads every batch to its longest text (a family's whole text is thousands of
    # tokens): a tokenizer of our own, without padding, and the pooling done here instead.
    tokenizer = model.tokenizer.__class__.from_str(model.tokenizer.to_str())
    tokenizer.no_padding()
    tokenizer.no_truncation()
    # Half precision, as the wheel stores it: 16 MB per worker instead of 33; sums are float32.
    return tokenizer, np.asarray(model.embedding, dtype=np.float16)


def preload() -> None:
    """Load the model now rather than at the first embedding (seconds: a worker starting)."""
    _model()


def token_sums(texts: Sequence[str], chunk: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the sum of its token vectors and its number of tokens. Sums add up: the
    embedding of several texts read as one is their summed vectors over their summed counts,
    so a family's vector is built from its items' without reading the family as one text.

    >>> sums, counts = token_sums(["sales quota", ""])
    >>> sums.shape, int(counts[1])
    ((2, 256), 0)
    """
    tokenizer, table = _model()
    sums = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    counts = np.zeros(len(texts), dtype=np.int64)
    for start in range(0, len(texts), chunk):
        encodings = tokenizer.encode_batch(
            list(texts[start : start + chunk]), add_special_tokens=False
        )
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.int64)
        counts[start : start + len(encodings)] = lengths
        if not lengths.sum():
            continue
        flat = np.clip(
            np.fromiter((i for e in encodings for i in e.ids), dtype=np.int64), 0, len(table) - 1
        )
        # Sum each text's run of token vectors at once; empty texts keep their zero row.
        nonempty = np.flatnonzero(lengths)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
        vectors = table[flat].astype(np.float32)
        sums[start + nonempty] = np.add.reduceat(vectors, offsets, axis=0)
    return sums, counts


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Unit rows; a zero row stays zero."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def embed(texts: Sequence[str]) -> np.ndarray:
    """One unit vector per text (float32, ``len(texts)`` × :data:`DIMENSIONS`): the average of
    its tokens' vectors, normalised; an empty text gets a zero vector."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return normalise(token_sums(texts)[0])
