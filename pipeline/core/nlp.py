"""The spaCy pipeline every stage shares, loaded once per process from an installed package, and the
cache key (:func:`files_version`) under which the stages keep every other model loaded once per process.

Two additions to the pretrained pipeline: footnote markers written as superscript digits split off
the token they touch, and a sentence always starts after a line break (a block or table row in the
canonical text never runs into the next).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

log = logging.getLogger(__name__)
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"

#: What lies at a path: its absolute form and its files' (relative name, size, modification time).
FilesVersion = tuple[str, tuple[tuple[str, int, int], ...]]


def files_version(path: str | Path) -> FilesVersion:
    """A cache key for a model or pattern folder (or file) at ``path``, for ``functools.lru_cache``'d loaders.

    A relative path means another folder after a ``chdir``, and a retrained model or edited pattern
    file is new content at the same path: either must load afresh, never reuse the old one.
    """
    root = Path(path).resolve()
    files = sorted(f for f in root.rglob("*") if f.is_file()) if root.is_dir() else [root] if root.exists() else []
    return str(root), tuple((f.relative_to(root).as_posix(), f.stat().st_size, f.stat().st_mtime_ns) for f in files)


@Language.component("block_boundaries")
def block_boundaries(doc: Doc) -> Doc:
    """Start a sentence at every token that follows a line break."""
    for i, tok in enumerate(doc[1:], start=1):
        prev = doc[i - 1]
        if "\n" in prev.whitespace_ or "\n" in prev.text or "\t" in prev.whitespace_:
            tok.is_sent_start = True
        elif tok.is_space and "\n" in tok.text:
            tok.is_sent_start = True
    return doc


@functools.lru_cache(maxsize=4)
def load_nlp(model: str) -> Language:
    """Load the installed spaCy package ``model`` (never downloads) with this project's additions."""
    try:
        nlp = spacy.load(model)
    except OSError as e:
        raise RuntimeError(
            f"spaCy model {model!r} is not installed: run `make install` (it installs the pinned "
            f"model package from requirements.txt), or set parse.model in params.yaml"
        ) from e
    tokenizer = nlp.tokenizer
    if not isinstance(tokenizer, Tokenizer):
        raise RuntimeError(
            f"spaCy model {model!r} has a custom tokenizer ({type(tokenizer).__name__}); the footnote-marker "
            f"rules need spaCy's rule-based Tokenizer: set parse.model in params.yaml to a standard pipeline"
        )
    suffixes = list(nlp.Defaults.suffixes or []) + [f"[{SUPERSCRIPTS}]+"]
    prefixes = list(nlp.Defaults.prefixes or []) + [f"[{SUPERSCRIPTS}]+"]
    tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    tokenizer.prefix_search = spacy.util.compile_prefix_regex(prefixes).search
    infixes = list(nlp.Defaults.infixes or []) + [f"(?<=[\\w.,])(?=[{SUPERSCRIPTS}])"]
    tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("block_boundaries", before="parser")
    nlp.max_length = 5_000_000
    return nlp
