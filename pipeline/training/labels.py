"""Annotators' entity decisions (``reviews/``) as training labels for the NER models.

:func:`reviewed_spans` reads the ``entities`` decisions on the TRAIN documents and places each on
the document's current canonical text with the review stage's anchoring (:func:`..review.anchor.locate`:
position, quote + context, whitespace, fuzzy; ``review.fuzzy_threshold`` and ``review.min_fuzzy_chars``).
The row ids of the review stage are not used: training runs before the extractions exist, so a
decision is found by its anchor alone.

What each action says about a span:

=========  ==========================================================================================
accept     the target is an entity of the label the annotator saw (``seen.label``)
relabel    the target is an entity of the new ``label``
move       the entity lies at the new boundaries (``span``), with the label seen (or relabelled)
add        the target is an entity of ``label``
reject     the target is not an entity of the label seen: a :class:`ReviewedSpan` with ``rejected``
=========  ==========================================================================================

``edit``, ``merge`` and ``split`` say nothing about spans or labels and are not used.

**Conflicts.** Decisions on one target (its placed span and the label it judges, as a row of the
review stage; a later decision on the corrected span or label continues the same target) are
resolved by the review stage's own policy (:func:`pipeline.annotations.policy.resolve`, params
``review.policy``: ``latest`` or ``adjudicator: <name>``), so training never learns a label the review
stage rejected. The decisions that stand are then applied in time order (``created``, then
``decision_id``): the latest verdict (a reject rejects; an accept, add, relabel or move un-rejects)
and the latest relabel and move.

**Never a dev document.** Only decisions on ``train_docs`` are used; ``train_docs`` sharing a
document with ``dev_docs`` is an error. A decision that cannot be placed (quote not found, or no
label recorded) is logged with its id and file and skipped, never applied to another span.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.annotations import placement as anc
from pipeline.annotations.decisions import ACCEPT, ADD, MOVE, REJECT, RELABEL, Decision, load_decisions
from pipeline.annotations.policy import APPLIED, Placed, resolve
from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.params import ReviewParams

log = logging.getLogger(__name__)

#: Actions that place or judge an entity span; the others (edit, merge, split) are not used for training.
SPAN_ACTIONS: tuple[str, ...] = (ACCEPT, REJECT, RELABEL, MOVE, ADD)
#: Placement parameters when none are given: the review stage's defaults (``params.yaml`` ``review``).
DEFAULT_FUZZY_THRESHOLD = ReviewParams.fuzzy_threshold
DEFAULT_MIN_FUZZY_CHARS = ReviewParams.min_fuzzy_chars


@dataclass(frozen=True)
class ReviewedSpan:
    """A reviewed span of one document: ``[start, end)`` is (``rejected=False``) or is not (``True``) a ``label``.

    ``decision_id`` and ``file`` name the latest decision that shaped it.
    """

    start: int
    end: int
    label: str
    rejected: bool
    decision_id: str
    file: str


def check_split(train_docs: Iterable[str], dev_docs: Iterable[str]) -> None:
    """Raise if a document is both a training and a dev document."""
    overlap = sorted(set(train_docs) & set(dev_docs))
    if overlap:
        raise ValueError(
            f"train.train_docs and evaluate.dev_docs share {overlap}: a dev document's reviews are never trained on"
        )


def _skip(d: Decision, file: str, why: str) -> None:
    log.warning("train: decision %s (%s, %s) not used for training: %s", d.decision_id, d.action, file, why)


def reviewed_spans(
    decisions: Iterable[tuple[Decision, str]],
    docs: Mapping[str, Document | str],
    train_docs: Iterable[str],
    dev_docs: Iterable[str] = (),
    fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD,
    min_fuzzy_chars: int = DEFAULT_MIN_FUZZY_CHARS,
    policy: str = ReviewParams.policy,
) -> dict[str, list[ReviewedSpan]]:
    """``{doc_id: [ReviewedSpan, ...]}`` (sorted by offsets) for the training documents that have entity decisions.

    ``docs`` maps each training document's id to its ingested document (or canonical text); ``policy``
    is ``review.policy`` (who wins a disagreement).
    """
    train_docs, dev_docs = list(train_docs), list(dev_docs)
    check_split(train_docs, dev_docs)
    wanted = set(train_docs)
    # target (doc, start, end, label judged) → [doc, new start, new end, label, rejected, decision, file]
    state: dict[tuple[str, int, int, str], list] = {}
    records: list[list] = []  # each target once, in the order first decided
    entity = [(d, f) for d, f in decisions if d.table == names.T_ENTITIES and d.action in SPAN_ACTIONS]
    ordered = sorted(entity, key=lambda x: (x[0].when, x[0].decision_id))
    standing = _standing(ordered, docs, wanted, fuzzy_threshold, min_fuzzy_chars, policy)
    for d, file in ordered:
        if d.decision_id not in standing:
            continue
        doc_id = d.doc_id
        if doc_id not in wanted:
            continue  # a dev document, or one not trained on
        if doc_id not in docs:
            _skip(d, file, f"document {doc_id} is not ingested")
            continue
        if d.target is None:
            _skip(d, file, "no anchor (target) to place it by")
            continue
        text = _text(docs[doc_id])
        at = anc.locate(text, d.target, fuzzy_threshold, min_fuzzy_chars)
        if at is None:
            _skip(d, file, f"quote {d.target.quote!r} not found in {doc_id}")
            continue
        judged = d.label if d.action == ADD else d.seen.get("label")
        if judged not in names.ENTITY_LABELS:
            _skip(
                d,
                file,
                f"label {judged!r} is not one of {', '.join(names.ENTITY_LABELS)}"
                if judged
                else "the decision does not record the label it judged (seen.label)",
            )
            continue
        moved = d.span if d.action == MOVE else None  # a move always carries its span (Decision checks it)
        new = anc.locate(text, moved, fuzzy_threshold, min_fuzzy_chars) if moved is not None else None
        if moved is not None and new is None:
            _skip(d, file, f"new boundaries {moved.quote!r} not found in {doc_id}")
            continue
        if d.action == RELABEL and d.label not in names.ENTITY_LABELS:
            _skip(d, file, f"label {d.label!r} is not one of {', '.join(names.ENTITY_LABELS)}")
            continue
        key = (doc_id, at.start, at.end, judged)
        if key not in state:
            state[key] = [doc_id, at.start, at.end, judged, False, "", ""]
            records.append(state[key])
        s = state[key]
        if new is not None:
            s[1], s[2] = new.start, new.end
        if d.action == RELABEL:
            s[3] = d.label
        s[4] = d.action == REJECT
        s[5], s[6] = d.decision_id, file
        # the corrected row is the same target: a later decision on what the annotator now sees
        # (the moved span, the new label) continues this record ("relabel ORG→GPE, then reject GPE")
        state[(doc_id, s[1], s[2], s[3])] = s
    out: dict[str, list[ReviewedSpan]] = {}
    for doc_id, start, end, label, rejected, did, file in records:
        out.setdefault(doc_id, []).append(ReviewedSpan(start, end, label, rejected, did, file))
    for doc_id in out:
        out[doc_id].sort(key=lambda r: (r.start, r.end, r.label, r.rejected))
    assert not set(out) & set(dev_docs), "a dev document's reviews reached the training data"
    return out


def _text(source: Document | str) -> str:
    """The canonical text of an ingested document (or the text itself)."""
    return source if isinstance(source, str) else source.text


def _targets(
    ordered: list[tuple[Decision, str]],
    docs: Mapping[str, Document | str],
    wanted: set[str],
    fuzzy_threshold: float,
    min_fuzzy_chars: int,
) -> dict[str, int]:
    """Which target each placeable decision judges (a number per target), following corrections: a
    decision on the span or label another decision produced continues that target."""
    alias: dict[tuple[str, int, int, str], int] = {}
    out: dict[str, int] = {}
    for d, _ in ordered:
        if d.doc_id not in wanted or d.doc_id not in docs or d.target is None:
            continue
        text = _text(docs[d.doc_id])
        at = anc.locate(text, d.target, fuzzy_threshold, min_fuzzy_chars)
        judged = d.label if d.action == ADD else d.seen.get("label")
        if at is None or judged not in names.ENTITY_LABELS:
            continue
        target = alias.setdefault((d.doc_id, at.start, at.end, judged), len(alias))
        out[d.decision_id] = target
        new = anc.locate(text, d.span, fuzzy_threshold, min_fuzzy_chars) if d.action == MOVE and d.span else None
        start, end = (new.start, new.end) if new else (at.start, at.end)
        label = d.label if d.action == RELABEL and d.label else judged
        alias.setdefault((d.doc_id, start, end, label), target)
    return out


def _standing(
    ordered: list[tuple[Decision, str]],
    docs: Mapping[str, Document | str],
    wanted: set[str],
    fuzzy_threshold: float,
    min_fuzzy_chars: int,
    policy: str,
) -> set[str]:
    """The ids of the decisions that stand under ``policy`` (the review stage's resolution, per target);
    a decision that cannot be placed stays in, to be skipped with its reason."""
    targets = _targets(ordered, docs, wanted, fuzzy_threshold, min_fuzzy_chars)
    groups: dict[int, list[Placed]] = {}
    for d, file in ordered:
        if d.decision_id in targets:
            groups.setdefault(targets[d.decision_id], []).append(Placed(d, file))
    standing = {d.decision_id for d, _ in ordered if d.decision_id not in targets}
    for group in groups.values():
        resolve(group, policy)
        standing |= {p.d.decision_id for p in group if p.outcome == APPLIED}
    return standing


def write_reviewed(spans: Mapping[str, list[ReviewedSpan]], path: Path) -> int:
    """Write placed spans as JSON lines (one per span, sorted: byte-identical for the same decisions)."""
    rows = [
        {"doc_id": d, **asdict(r)}
        for d in sorted(spans)
        for r in sorted(spans[d], key=lambda r: (r.start, r.end, r.label, r.rejected))
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


def read_reviewed(path: Path, train_docs: Iterable[str]) -> dict[str, list[ReviewedSpan]]:
    """The spans :func:`write_reviewed` wrote, for ``train_docs`` only."""
    keep = set(train_docs)
    out: dict[str, list[ReviewedSpan]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            doc_id = r.pop("doc_id")
            if doc_id in keep:
                out.setdefault(doc_id, []).append(ReviewedSpan(**r))
    return out


def load_reviewed(
    reviews_dir: Path | None,
    docs: Mapping[str, Document | str],
    train_docs: Iterable[str],
    dev_docs: Iterable[str] = (),
    params: Mapping | None = None,
) -> dict[str, list[ReviewedSpan]]:
    """:func:`reviewed_spans` of every decision under ``reviews_dir`` (none when it is ``None`` or missing).

    ``reviews_dir`` may also be a ``.jsonl`` file of spans already placed (:func:`write_reviewed`, the
    ``labels`` stage): the train stages read that, so a decision on another paper does not retrain.
    ``params``: the ``review`` section of ``params.yaml`` (``fuzzy_threshold``, ``min_fuzzy_chars``, ``policy``).
    """
    if reviews_dir is not None and Path(reviews_dir).is_file():
        check_split(train_docs, dev_docs)
        return read_reviewed(Path(reviews_dir), train_docs)
    p = params or {}
    decisions = load_decisions(Path(reviews_dir)) if reviews_dir is not None and Path(reviews_dir).exists() else []
    return reviewed_spans(
        decisions,
        docs,
        train_docs,
        dev_docs,
        float(p.get("fuzzy_threshold", DEFAULT_FUZZY_THRESHOLD)),
        int(p.get("min_fuzzy_chars", DEFAULT_MIN_FUZZY_CHARS)),
        str(p.get("policy", ReviewParams.policy)),
    )
