"""The spaCy pipeline every stage shares, loaded once per process from an installed package.

Two additions to the pretrained pipeline: footnote markers written as superscript digits split off
the token they touch, and a sentence always starts after a line break (a block or table row in the
canonical text never runs into the next).
"""

from __future__ import annotations

import functools
import logging

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

log = logging.getLogger(__name__)
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


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
