"""Embeddings from the model bundled in the wordllama wheel: offline, unit vectors, meaning."""

from __future__ import annotations

import numpy as np

from postings.embedding import DIMENSIONS, embed, normalise, token_sums


def test_vectors_are_unit_rows_and_an_empty_text_is_zero():
    vectors = embed(["Negotiate enterprise contracts", ""])
    assert vectors.shape == (2, DIMENSIONS) and vectors.dtype == np.float32
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-5)
    assert not vectors[1].any()
    assert embed([]).shape == (0, DIMENSIONS)


def test_a_restatement_is_closer_than_an_unrelated_sentence():
    close, restated, unrelated = embed(
        [
            "Close new business and exceed the quarterly sales quota",
            "Win new customers and hit your revenue target",
            "Reconcile the general ledger at month end",
        ]
    )
    assert close @ restated > close @ unrelated + 0.1


def test_token_sums_add_up_to_the_embedding_of_texts_read_together():
    sums, counts = token_sums(["sales quota", "pipeline review"])
    together = normalise(sums.sum(axis=0))
    assert counts.min() > 0
    assert together @ embed(["sales quota pipeline review"])[0] > 0.99


def test_the_model_loads_without_the_network(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the embedding model tried to reach the network")

    from postings import embedding

    embedding._model.cache_clear()
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert embed(["offline"]).shape == (1, DIMENSIONS)
