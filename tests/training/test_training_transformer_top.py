"""The transformer trained on its top layers only: saved as those layers in fp16, loaded over the package."""

import json
from dataclasses import replace

import pytest
from conftest import tiny_training_set

from pipeline.entities.transformer import CI_CONFIG, META_FILE, TOP_FILE, encoder_dir, load
from pipeline.training.status import RECORD_FILE


@pytest.mark.model
def test_training_top_layers_saved_alone_and_reloaded_over_the_encoder(tmp_path):
    from safetensors import safe_open
    from safetensors.torch import load_file

    from pipeline.training.transformer import train

    doc, ingest, gold = tiny_training_set(tmp_path)
    out = train(gold, ingest, ["d"], tmp_path / "ner", replace(CI_CONFIG, train_layers=1))
    assert sorted(p.name for p in out.iterdir()) == sorted([META_FILE, RECORD_FILE, TOP_FILE])
    with safe_open(str(out / TOP_FILE), framework="pt") as f:
        keys = list(f.keys())
        assert {str(f.get_tensor(k).dtype) for k in keys} == {"torch.float16"}
    assert all(k.startswith(("bert.encoder.layer.5.", "classifier.")) for k in keys) and "classifier.weight" in keys
    assert json.loads((out / RECORD_FILE).read_text())["train_docs"] == ["d"]
    tagger = load(out, int8=False)  # fp32: the weights as trained (int8 packs the encoder's linear layers)
    base = load_file(encoder_dir() / "model.safetensors")
    weights = dict(tagger.model.named_parameters())
    lower = next(k for k in base if k.endswith("encoder.layer.0.attention.self.query.weight"))
    assert weights[f"bert.{lower.removeprefix('bert.')}"].equal(base[lower])  # frozen: the package's own
    trained = load_file(out / TOP_FILE)["bert.encoder.layer.5.output.dense.weight"]
    assert weights["bert.encoder.layer.5.output.dense.weight"].equal(trained.float())
    assert tagger.predict(doc.text) == load(out, int8=False).predict(doc.text)


@pytest.mark.model
def test_training_top_layers_refuse_another_encoder(tmp_path):
    from safetensors.torch import load_file, save_file

    from pipeline.training.transformer import train

    _, ingest, gold = tiny_training_set(tmp_path)
    out = train(gold, ingest, ["d"], tmp_path / "ner", replace(CI_CONFIG, train_layers=1))
    save_file(load_file(out / TOP_FILE), out / TOP_FILE, metadata={"encoder_sha256": "0" * 64})
    with pytest.raises(RuntimeError, match=r"trained over another version of the encoder package .*make train"):
        load(out)
