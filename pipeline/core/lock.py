"""One run at a time on a folder: a lock file beside it (``data/`` → ``.data.lock``).

The operating system releases the lock when the process ends, however it ends (``kill -9``
included), so a lock is never left behind by a dead run. Within one process the same folder's
lock may be taken again (a run holds it, and each stage it calls takes it too).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout


def lock_file(folder: Path) -> Path:
    """The lock file of ``folder``: beside it, since an output folder is replaced as a whole."""
    folder = Path(folder).resolve()
    return folder.parent / f".{folder.name}.lock"


@contextlib.contextmanager
def hold(*folders: Path) -> Iterator[None]:
    """Hold the lock of each folder for the block, or raise ``RuntimeError`` if another process holds one.

    >>> with hold(Path("data"), Path("outputs")):  # doctest: +SKIP
    ...     run_the_stages()
    """
    with contextlib.ExitStack() as stack:
        for folder in folders:
            path = lock_file(folder)
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                stack.enter_context(FileLock(path, timeout=0, is_singleton=True))
            except Timeout:
                raise RuntimeError(
                    f"{folder} is in use by another pipeline run (lock file {path}); "
                    f"wait for that run to end, or give this one other --work/--out folders"
                ) from None
        yield
