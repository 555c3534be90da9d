"""The training documents' ingested texts, copied apart (the ``train_set`` stage).

``params.yaml`` names the training documents once (``train.train_docs``). This stage copies their
``data/ingest/<doc_id>.json`` into ``data/train_set/``; the training stages read that folder, so a new
paper in ``raw/`` changes nothing they depend on and retrains nothing (DVC compares the copies' hashes).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.core.io import DOC_SUFFIX
from pipeline.training.labels import check_split


def select(ingest_dir: Path, out_dir: Path, train_docs: list[str], dev_docs: list[str]) -> list[str]:
    """Copy the training documents of ``ingest_dir`` into ``out_dir`` (emptied first); the ids copied.

    A training document that was not ingested is an error naming it.
    """
    check_split(train_docs, dev_docs)
    missing = [d for d in train_docs if not (ingest_dir / f"{d}{DOC_SUFFIX}").exists()]
    if missing:
        raise FileNotFoundError(
            f"training documents not in {ingest_dir}: {missing}; add them to raw/ or edit train.train_docs"
        )
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    for d in sorted(train_docs):
        shutil.copyfile(ingest_dir / f"{d}{DOC_SUFFIX}", out_dir / f"{d}{DOC_SUFFIX}")
    return sorted(train_docs)
