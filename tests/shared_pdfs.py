"""The real PDFs of ``../shared/pdfs/`` (see its SOURCES.md), used from there and never copied.

Found beside the checkout (``<repo>/../shared``) or beside the folder holding a git worktree
(``<repo>/../../shared``); a test that needs one is skipped, with the path it looked for, on a
machine without them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = [ROOT.parent / "shared" / "pdfs", ROOT.parent.parent / "shared" / "pdfs"]


def shared_pdf(name: str) -> Path:
    for folder in CANDIDATES:
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"{name} not found in {CANDIDATES[0]} (the shared development PDFs)")
