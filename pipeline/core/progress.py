"""Progress bars on a terminal, silence in CI and in pipes (tqdm's ``disable=None``)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], desc: str, unit: str = "it") -> Iterable[T]:
    items = list(items)
    quiet = bool(os.environ.get("CI")) or len(items) <= 1
    return tqdm(items, desc=desc, unit=unit, disable=True if quiet else None, leave=False)
