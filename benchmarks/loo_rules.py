"""The leave-one-document-out ensemble F1 with the language-level entity rules added one at a time.

Each rule of issue 14 kept in the pipeline is switched off (its function replaced by one that finds
nothing), then the rules are switched on in order, cumulatively, and each alone: the common-noun
stop-list, patronymic names, programme and act heads, quoted titles closed at their quote, group names.
(A surname-ending shape → PERSON was measured so and removed, as it lowered the F1; docs/evaluation.md.) Every step is scored exactly as the
``loo`` stage scores (:mod:`pipeline.evaluate.loo`, same folds, same cached fold models in
``--work``: run ``python -m pipeline loo`` first, or the folds are trained here). A rule stays in the
pipeline only if it does not lower the LOO ensemble F1 (docs/evaluation.md).

Example: python benchmarks/loo_rules.py --work data/loo
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loo_setup import ensemble_row, load_folds  # noqa: E402

from pipeline.entities import candidates, rules  # noqa: E402
from pipeline.evaluate import folds, loo  # noqa: E402


def _nothing(*_a, **_k):
    return iter(())


#: (name, the patches that switch the rule off), in the order the rules are switched on.
RULES = [
    ("stop-list of common nouns", [(candidates, "common_noun", lambda s: False)]),
    ("patronymic names", [(rules, "particle_names", _nothing)]),
    ("programme and act heads", [(rules, "programme_spans", _nothing)]),
    (
        "quoted titles closed at the matching quote",
        [(candidates, "close_quote", lambda _t, _s, e: e), (candidates, "title_tail", lambda *_a: False)],
    ),
    ("group names (NORP/GPE + plural NORP)", [(candidates, "group_names", lambda _t, cands: cands)]),
]


class _Cached:
    """A fold model's prediction on its held-out document, computed once (it depends on no rule)."""

    def __init__(self, doc):
        self.doc = doc

    def __call__(self, _text):
        return self.doc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default="data/loo")
    ap.add_argument("--params", default="params.yaml")
    a = ap.parse_args()
    f = load_folds(a.params, "loo_rules")
    held_out = []
    for g in f.golds:
        ft, _ = folds.fold_model(f.train_docs(g.doc_id), f.model, f.config, Path(a.work), g.doc_id)
        held_out.append((g, f.rules[g.doc_id], _Cached(ft(g.doc.text))))
    print("| rules on | LOO ensemble P | R | F1 | text F1 | pdf F1 |")
    print("|---|---|---|---|---|---|")
    steps = [(("none (before)" if n == 0 else f"+ {RULES[n - 1][0]}"), RULES[n:]) for n in range(len(RULES) + 1)]
    steps += [(f"{name} alone", [r for r in RULES if r[0] != name]) for name, _ in RULES]
    for name, off in steps:
        with ExitStack() as stack:
            for _, patches in off:
                for module, attr, value in patches:
                    stack.enter_context(mock.patch.object(module, attr, value))
            results = [loo.score_fold(g, loo.fold_candidates(g, r, ft)) for g, r, ft in held_out]  # type: ignore[arg-type]
        scores, text_f1, pdf_f1 = ensemble_row(f.golds, results)
        s = scores["ensemble"]["ALL"]
        print(f"| {name} | {s['precision']} | {s['recall']} | {s['f1']} | {text_f1} | {pdf_f1} |")


if __name__ == "__main__":
    main()
