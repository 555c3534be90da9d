"""Text normalisation shared by comparisons (gold against extractions, calibration)."""

from __future__ import annotations

import re


def norm_text(s: str) -> str:
    """Every whitespace run as one space, trimmed.

    >>> norm_text("  World\\n  Kurultai ")
    'World Kurultai'
    """
    return re.sub(r"\s+", " ", s).strip()
