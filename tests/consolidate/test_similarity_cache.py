"""The similarity encoder runs once per distinct name in a process, and a name's vector does not depend on
the other names, their order or the cache (pipeline/consolidate/similarity.py ``embed``)."""

from __future__ import annotations

import pytest

from pipeline.consolidate import similarity

NAMES = ["World Association of Kazakhs", "World Kazakh Association", "Kazakhstan", "Mendikulova G.M."]


class _Counting:
    """The encoder, counting the names it encodes."""

    def __init__(self, enc):
        self.enc, self.names = enc, 0

    def ids(self, texts):
        return self.enc.ids(texts)

    def mean_pooled(self, ids):
        self.names += len(ids)
        return self.enc.mean_pooled(ids)


@pytest.mark.model
def test_embed_encodes_each_distinct_name_once(monkeypatch):
    counting = _Counting(similarity._encoder())
    monkeypatch.setattr(similarity, "_encoder", lambda: counting)
    monkeypatch.setattr(similarity, "_VECTORS", {})
    first = similarity.embed([NAMES[0], NAMES[1], NAMES[0]])
    assert counting.names == 2 and (first[0] == first[2]).all()
    again = similarity.embed([NAMES[1], NAMES[2], NAMES[0]])
    assert counting.names == 3  # only "Kazakhstan" is new
    assert (again[0] == first[1]).all() and (again[2] == first[0]).all()
    assert similarity.embed([]).shape == (0, 384)


@pytest.mark.model
def test_embed_vector_independent_of_the_other_names(monkeypatch):
    monkeypatch.setattr(similarity, "_VECTORS", {})
    together = similarity.embed(NAMES)
    for i, name in enumerate(NAMES):
        monkeypatch.setattr(similarity, "_VECTORS", {})
        alone = similarity.embed([name])
        assert (alone[0] == together[i]).all(), name  # exactly: batches hold names of one length, no padding
    assert float(together[0] @ together[1]) > 0.85 > float(together[0] @ together[2])
