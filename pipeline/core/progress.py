"""Progress bars on a terminal, silence in CI and in pipes (tqdm's ``disable=None``)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def _quiet(n: int) -> bool:
    return bool(os.environ.get("CI")) or n <= 1


def progress(items: Iterable[T], desc: str, unit: str = "it") -> Iterable[T]:
    items = list(items)
    return tqdm(items, desc=desc, unit=unit, disable=True if _quiet(len(items)) else None, leave=False)


def counter(total: int, desc: str, unit: str = "it") -> tqdm:
    """A bar to ``update()`` by hand, as work done elsewhere (worker processes) comes back."""
    return tqdm(total=total, desc=desc, unit=unit, disable=True if _quiet(total) else None, leave=False)
