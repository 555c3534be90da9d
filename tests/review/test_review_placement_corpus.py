"""Placement on the real corpus texts (raw/) through edits: every decision on its intended words, or orphaned.

Each probe takes a span of a corpus text (names, repeated ones included: the dangerous cases), makes
one edit — a paragraph inserted before it, its own paragraph or another deleted, a clause inserted in
its sentence, a typo fixed in its words — and computes where the words are meant to be in the edited
text from the edit alone (offset arithmetic, never the placement code). A placement elsewhere is a
misplacement; ``None`` (orphaned) is allowed, being never wrong. Then the decisions go through the
review stage on "extractions" of the edited text: zero misplaced, zero duplicated rows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pandas as pd
import pytest
from conftest import ROOT

from pipeline.annotations import placement as anc
from pipeline.annotations.decisions import Anchor, Decision
from pipeline.consolidate import row_id
from pipeline.core import names
from pipeline.core.schema import normalize_frame
from pipeline.review.apply import apply_decisions

RAW = ROOT / "raw"
NAME = re.compile(r"\b[A-Z][a-z]{3,}(?: (?:of |the )?[A-Z][a-z]+){0,3}\b")
INSERTED = "A paragraph added in the second edition, which says nothing of these names.\n\n"
CLAUSE = "as the second edition adds, "


@dataclass(frozen=True)
class Probe:
    name: str
    doc_id: str
    old: str  # the text the decision was made on
    new: str  # the text it is placed on
    start: int  # the decided span in ``old``
    end: int
    intended: tuple[int, int] | None  # where those words are in ``new`` (None: they are gone)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each paragraph (text between blank lines), long ones first in ties of order."""
    out, pos = [], 0
    for part in text.split("\n\n"):
        out.append((pos, pos + len(part)))
        pos += len(part) + 2
    return out


def _names(text: str) -> list[tuple[int, int]]:
    """Name-like spans, repeated names first (each of their occurrences is a candidate for the others)."""
    spans = [(m.start(), m.end()) for m in NAME.finditer(text)]
    freq = Counter(text[s:e] for s, e in spans)
    return sorted(spans, key=lambda se: (-min(freq[text[se[0] : se[1]]], 5), se[0]))


def _shift(s: int, e: int, at: int, delta: int) -> tuple[int, int]:
    return (s + delta, e + delta) if s >= at else (s, e)


def probes_of(doc_id: str, text: str, n: int = 2) -> list[Probe]:
    out: list[Probe] = []
    paras = _paragraphs(text)
    para_of = {}
    for s, e in _names(text):
        para_of.setdefault((s, e), next(i for i, (ps, pe) in enumerate(paras) if ps <= s and e <= pe))
    picked = list(para_of)[: 6 * n]
    for k, (s, e) in enumerate(picked):
        i = para_of[(s, e)]
        ps, pe = paras[i]
        edit = k % 6
        if edit == 0:  # a paragraph inserted before the span's paragraph
            new = text[:ps] + INSERTED + text[ps:]
            out.append(Probe("inserted paragraph", doc_id, text, new, s, e, _shift(s, e, ps, len(INSERTED))))
        elif edit == 1:  # the span's own paragraph deleted: its words are gone
            new = text[:ps] + text[pe + 2 :]
            out.append(Probe("deleted own paragraph", doc_id, text, new, s, e, None))
        elif edit == 2 and i > 0:  # the paragraph before deleted
            qs, qe = paras[i - 1]
            new = text[:qs] + text[qe + 2 :]
            out.append(
                Probe("deleted paragraph before", doc_id, text, new, s, e, (s - (qe + 2 - qs), e - (qe + 2 - qs)))
            )
        elif edit == 3:  # a clause inserted in the sentence, just before the span
            new = text[:s] + CLAUSE + text[s:]
            out.append(Probe("edited sentence", doc_id, text, new, s, e, (s + len(CLAUSE), e + len(CLAUSE))))
        elif edit == 4 and e - s >= 8:  # the span had a typo (a letter dropped), fixed in the new text
            cut = s + (e - s) // 2
            old = text[:cut] + text[cut + 1 :]
            out.append(Probe("typo fixed", doc_id, old, text, s, e - 1, (s, e)))
        elif edit == 5:  # the span's sentence rewritten without it, a paragraph inserted above
            new = text[:ps] + INSERTED + text[ps:s] + "someone" + text[e:]
            out.append(Probe("words rewritten", doc_id, text, new, s, e, None))
    return out


def corpus_probes() -> list[Probe]:
    out = []
    for path in sorted(RAW.glob("*.txt")):
        out += probes_of(path.stem, path.read_text(encoding="utf-8"), n=2)
    return out


PROBES = corpus_probes()


def test_review_placement_corpus_has_enough_probes_of_every_kind():
    kinds = Counter(p.name for p in PROBES)
    assert len(PROBES) >= 30 and len(kinds) == 6 and min(kinds.values()) >= 3, kinds
    repeated = sum(p.old.count(p.old[p.start : p.end]) > 1 for p in PROBES)
    assert repeated >= 15  # most probes are names that occur elsewhere too


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: f"{p.doc_id[:3]}-{p.name}-{p.start}")
def test_review_placement_corpus_on_intended_words_or_orphaned(probe):
    placed = anc.locate(probe.new, Anchor.of(probe.old, probe.doc_id, probe.start, probe.end))
    got = None if placed is None else (placed.start, placed.end)
    assert got is None or got == probe.intended, (probe.name, probe.old[probe.start : probe.end], got, probe.intended)


def test_review_placement_corpus_stage_zero_misplaced_zero_duplicated():
    """All probes through the review stage at once (each edited text a document): extractions at the intended
    span and at every other occurrence of the same words; each decision (a reject, then the same author's
    relabel) lands on its intended row or is orphaned; no row twice, none re-created beside an existing one."""
    rows, docs, decisions, intended = [], {}, [], {}
    for k, p in enumerate(PROBES):
        doc = f"{p.doc_id}-{k}"
        docs[doc] = p.new
        words = p.old[p.start : p.end] if p.name != "typo fixed" else p.new[p.intended[0] : p.intended[1]]
        spans = {(m.start(), m.start() + len(words)) for m in re.finditer(re.escape(words), p.new)}
        spans |= {p.intended} if p.intended else set()
        for s, e in sorted(spans):
            rows.append(
                {
                    "mention_id": row_id("M", doc, s, e, names.ORG),
                    "doc_id": doc,
                    "entity_id": "E" + words,
                    "text": p.new[s:e],
                    "label": names.ORG,
                    "start": s,
                    "end": e,
                    "sources": [names.SRC_RULES],
                    "review_status": names.UNREVIEWED,
                }
            )
        target = Anchor.of(p.old, doc, p.start, p.end)
        old_id = row_id("M", doc, p.start, p.end, names.ORG)
        for i, (action, kw) in enumerate([("reject", {}), ("relabel", {"label": "GPE"})]):
            d = Decision(
                action,
                names.T_ENTITIES,
                "a",
                f"2025-01-01T00:00:0{i}Z",
                target_id=old_id,
                target=target,
                seen={"label": names.ORG},
                **kw,
            )
            decisions.append(d)
            intended[d.decision_id] = (p, doc)
    index = pd.DataFrame(
        [
            {"entity_id": e, "canonical": e[1:], "label": names.ORG, "aliases": [e[1:]]}
            for e in {r["entity_id"] for r in rows}
        ]
    )
    tables = {
        names.T_ENTITIES: normalize_frame(names.T_ENTITIES, pd.DataFrame(rows)),
        names.T_ENTITY_INDEX: normalize_frame(names.T_ENTITY_INDEX, index),
    }
    res = apply_decisions(tables, docs, decisions)
    out = res.tables[names.T_ENTITIES]
    assert not out.duplicated(["doc_id", "start", "end", "label"]).any()
    assert len(out) + len(res.rejected) == len(rows)  # nothing re-created beside an existing row
    placed_right = orphaned = 0
    for r in res.decisions.itertuples():
        p, doc = intended[r.decision_id]
        if r.outcome == "orphaned":
            orphaned += 1
            continue
        assert (r.start, r.end) == p.intended, (p.name, p.old[p.start : p.end], r.start, r.end, p.intended)
        assert r.landed_id == row_id("M", doc, *p.intended, names.ORG)
        placed_right += 1
    assert placed_right + orphaned == 2 * len(PROBES)
    # the words are still there in most probes: placement must not give up on them all
    assert placed_right >= 2 * sum(p.intended is not None for p in PROBES) * 0.6, (placed_right, orphaned)
