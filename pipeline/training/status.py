"""What the committed models were trained on, and what has changed since (``python -m pipeline train-status``).

Training is a choice: the ``train`` and ``train_transformer`` stages are frozen in ``dvc.yaml``, so
``dvc repro`` never retrains; ``make train`` does. Each model directory holds :data:`RECORD_FILE`,
written when it is trained: the training documents, the SHA-256 of their gold files and the reviewed
spans (``data/train_labels.jsonl`` rows) it learned from. :func:`pending` compares that record with the
current gold and labels and says, in words, what a retrain would add::

    3 reviewed decisions on training papers are not in the models: run make train
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path

from pipeline.core.io import DOC_SUFFIX, load_document
from pipeline.training.labels import ReviewedSpan, load_reviewed, read_reviewed

RECORD_FILE = "trained_on.json"


def _sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _rows(spans: Mapping[str, Iterable[ReviewedSpan]]) -> list[dict]:
    return sorted(
        ({"doc_id": d, **asdict(r)} for d in spans for r in spans[d]),
        key=lambda r: (r["doc_id"], r["start"], r["end"], r["label"], r["rejected"], r["decision_id"]),
    )


def record(gold_dir: Path, doc_ids: Iterable[str], spans: Mapping[str, Iterable[ReviewedSpan]]) -> dict:
    """The inputs of one training run: documents, their gold files' SHA-256 (``None``: no gold file), reviewed spans."""
    ids = sorted(doc_ids)
    return {
        "train_docs": ids,
        "gold_sha256": {d: _sha256(Path(gold_dir) / f"{d}.jsonl") for d in ids},
        "reviewed": _rows(spans),
    }


def write_record(out_dir: Path, rec: dict) -> Path:
    path = Path(out_dir) / RECORD_FILE
    path.write_text(json.dumps(rec, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def record_training(
    out_dir: Path,
    gold_dir: Path,
    ingest_dir: Path,
    doc_ids: list[str],
    reviews_dir: Path | None,
    dev_docs: Iterable[str] = (),
    review_params: Mapping | None = None,
) -> Path:
    """Write the :func:`record` of a training run (the same labels it read) into the model's ``out_dir``."""
    docs = {d: load_document(Path(ingest_dir) / f"{d}{DOC_SUFFIX}") for d in doc_ids}
    spans = load_reviewed(reviews_dir, docs, doc_ids, dev_docs, review_params)
    return write_record(out_dir, record(gold_dir, doc_ids, spans))


def _decisions(rows: Iterable[dict]) -> dict[str, set[tuple]]:
    """Each decision id with the spans it placed (a decision moved to another span counts as changed)."""
    out: dict[str, set[tuple]] = {}
    for r in rows:
        out.setdefault(r["decision_id"], set()).add((r["doc_id"], r["start"], r["end"], r["label"], r["rejected"]))
    return out


def pending(model_dirs: Iterable[Path], gold_dir: Path, labels: Path, train_docs: Iterable[str]) -> list[str]:
    """What the models in ``model_dirs`` lack against the current training inputs, one sentence each
    ending in what to run; empty when every model is up to date.

    ``labels``: the ``labels`` stage's file (``data/train_labels.jsonl``); missing, the reviewed spans are
    not compared (``dvc repro labels`` writes it).
    """
    now = record(gold_dir, train_docs, read_reviewed(labels, train_docs) if Path(labels).exists() else {})
    out: list[str] = []
    seen: set[str] = set()

    def say(line: str) -> None:
        if line not in seen:
            seen.add(line)
            out.append(line)

    for model in model_dirs:
        path = Path(model) / RECORD_FILE
        if not path.exists():
            say(f"{model} has no {RECORD_FILE} (not trained by this version, or missing): run make train")
            continue
        then = json.loads(path.read_text(encoding="utf-8"))
        if then["train_docs"] != now["train_docs"]:
            say("train.train_docs changed since the models were trained: run make train")
            continue
        changed = sorted(d for d in now["train_docs"] if then["gold_sha256"].get(d) != now["gold_sha256"][d])
        if changed:
            say(f"the gold entities of {', '.join(changed)} changed since the models were trained: run make train")
        if Path(labels).exists():
            old, new = _decisions(then["reviewed"]), _decisions(now["reviewed"])
            n = sum(1 for d in set(old) | set(new) if old.get(d) != new.get(d))
            if n:
                say(
                    f"{n} reviewed decision{'s' if n != 1 else ''} on training papers "
                    f"{'are' if n != 1 else 'is'} not in the models: run make train"
                )
    return out
