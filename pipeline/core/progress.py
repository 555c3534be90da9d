"""Progress of long work: a tqdm bar on a terminal; plain lines, a few per stage, in CI, pipes and logs.

:func:`progress` wraps the documents of a per-document stage (a bar on a terminal, silent elsewhere).
:class:`Steps` follows a loop of known length, such as a training run: on a terminal a tqdm bar with
the step, rate, ETA and the latest loss; elsewhere (``CI`` set, or stderr not a terminal) one line
every ``total // lines`` steps and one at the end::

    train_transformer: step 24/240 (10%), loss 0.412, 19 s, ETA 171 s
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from types import TracebackType
from typing import TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], desc: str, unit: str = "it") -> Iterable[T]:
    items = list(items)
    quiet = bool(os.environ.get("CI")) or len(items) <= 1
    return tqdm(items, desc=desc, unit=unit, disable=True if quiet else None, leave=False)


def on_terminal(stream: TextIO) -> bool:
    """True when ``stream`` is a terminal and not in CI (the ``CI`` environment variable unset)."""
    return not os.environ.get("CI") and stream.isatty()


def eta_line(desc: str, step: int, total: int, elapsed: float, loss: float | None = None, unit: str = "step") -> str:
    """One progress line; the ETA is the mean time per step so far times the steps left.

    >>> eta_line("train", 30, 120, 15.0, loss=0.41234)
    'train: step 30/120 (25%), loss 0.412, 15 s, ETA 45 s'
    """
    left = elapsed / step * (total - step) if step else 0.0
    parts = [f"{desc}: {unit} {step}/{total} ({100 * step // max(1, total)}%)"]
    if loss is not None:
        parts.append(f"loss {loss:.3f}")
    parts.append(f"{elapsed:.0f} s")
    if step < total:
        parts.append(f"ETA {left:.0f} s")
    return ", ".join(parts)


class Steps:
    """Progress of ``total`` steps named ``desc``: call :meth:`update` after each step (with its loss).

    ``lines``: how many plain lines a run writes off a terminal (evenly spaced, the last at the end).
    ``stream`` defaults to stderr, so stage outputs on stdout stay clean.

    Example::

        with Steps(240, "train_transformer") as bar:
            for step in range(240):
                ...
                bar.update(loss.item())
    """

    def __init__(self, total: int, desc: str, unit: str = "step", lines: int = 10, stream: TextIO | None = None):
        self.total, self.desc, self.unit = total, desc, unit
        self.stream = stream or sys.stderr
        self.every = max(1, total // max(1, lines))
        self.step = 0
        self.loss: float | None = None
        self.t0 = time.perf_counter()
        self.bar = tqdm(total=total, desc=desc, unit=unit, file=self.stream) if on_terminal(self.stream) else None

    def update(self, loss: float | None = None) -> None:
        self.step += 1
        self.loss = loss
        if self.bar is not None:
            self.bar.update(1)
            if loss is not None:
                self.bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
        elif self.step % self.every == 0 or self.step == self.total:
            self.write()

    def write(self) -> None:
        line = eta_line(self.desc, self.step, self.total, time.perf_counter() - self.t0, self.loss, self.unit)
        print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.step % self.every and self.step != self.total:
            self.write()  # stopped early: say where

    def __enter__(self) -> Steps:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
