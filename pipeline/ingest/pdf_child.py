"""The PDF reader's watchdog: :func:`.pdf_pages.read_pages` in a forked child, under a time and a memory limit.

A file that hangs, crashes the PDF library or inflates past memory becomes the document's error,
never a stuck or killed pipeline. Before reading, the child inflates each compressed stream in
small thrown-away chunks: one that inflates past ``max_memory_mb`` (a decompression bomb) is
reported as "too large when decompressed", never read. The child's address space may then grow by
``max_memory_mb`` beyond what it inherited (``RLIMIT_AS``), the backstop for what the check cannot
see. The child builds the canonical text and sends it back with its boxes as flat arrays.
"""

from __future__ import annotations

import os
import pickle
import re
import resource
import select
import signal
import time
import zlib
from array import array
from itertools import chain
from pathlib import Path

from pipeline.core.params import IngestParams
from pipeline.ingest.errors import IngestError
from pipeline.ingest.ocr import OcrReader
from pipeline.ingest.pdf_pages import read_pages

DEFAULT_MAX_MEMORY_MB = IngestParams.max_memory_mb  # the reader child's growth limit when params set none
_READ_CHUNK = 1 << 20
_STREAM = re.compile(rb"stream\r?\n")
_IN_CHUNK, _OUT_CHUNK = 1 << 16, 1 << 20


def _pack(origins: list) -> tuple[bytes, bytes, list[int], list[int]]:
    """Character boxes as two flat arrays (pages, coordinates) for the trip from the reader's child.

    Pickled as tuples, every coordinate would arrive as its own float object (pickle does not share
    floats); as arrays they cost 36 bytes a character on the pipe, and :func:`_unpack` shares the
    repeated values again. ``None`` origins (synthetic separators) and origins repeated from the
    previous character (the same tuple: a space) are listed by index. The values are copied
    into the arrays by C loops (``itertools.chain``, numpy), never one Python call per character.
    """
    import numpy as np

    n = len(origins)
    ids = np.fromiter(map(id, origins), dtype=np.int64, count=n)
    is_none = ids == id(None)
    none = np.flatnonzero(is_none).tolist()
    repeat = (np.flatnonzero((ids[1:] == ids[:-1]) & ~is_none[1:]) + 1).tolist()
    filled = list(origins)
    for i in none:
        filled[i] = (0, 0.0, 0.0, 0.0, 0.0)
    flat = array("d", chain.from_iterable(filled))
    values = np.frombuffer(flat, dtype=np.float64).reshape(n, 5)
    pages = values[:, 0].astype(np.int32)
    return pages.tobytes(), np.ascontiguousarray(values[:, 1:]).tobytes(), none, repeat


def _unpack(pages_b: bytes, coords_b: bytes, none: list[int], repeat: list[int]) -> list:
    """The boxes again as ``(page, x0, top, x1, bottom)`` tuples whose equal coordinates are one
    float object (numpy finds the distinct values; a page's boxes share most of theirs)."""
    import numpy as np

    pages = np.frombuffer(pages_b, dtype=np.int32).tolist()
    coords = np.frombuffer(coords_b, dtype=np.float64)
    values, where = np.unique(coords, return_inverse=True)
    shared = np.empty(len(values), dtype=object)
    shared[:] = values.tolist()
    flat = shared[where.reshape(-1, 4)]
    out: list = list(zip(pages, *(flat[:, j].tolist() for j in range(4))))
    for i in repeat:
        out[i] = out[i - 1]
    for i in none:
        out[i] = None
    return out


def _too_large(max_memory_mb: int) -> str:
    return (
        f"too large when decompressed: a stream inflates past the reader's memory limit of {max_memory_mb} MB "
        "(raise ingest.max_memory_mb in params.yaml if the file is genuine)"
    )


def inflates_beyond(data: bytes, limit: int) -> bool:
    """Whether one of the file's Flate streams inflates to more than ``limit`` bytes, found by
    inflating each one in chunks that are thrown away (memory stays at a chunk; about 3 ms a page on
    real papers). Streams that are not Flate (or are encrypted) fail at once and are skipped."""
    view = memoryview(data)
    for m in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        total, pos = 0, m.end()
        try:
            while not inflater.eof and pos < len(data):
                piece: bytes | memoryview = view[pos : pos + _IN_CHUNK]
                pos += _IN_CHUNK
                while piece and not inflater.eof:
                    total += len(inflater.decompress(piece, _OUT_CHUNK))
                    if total > limit:
                        return True
                    piece = inflater.unconsumed_tail
        except zlib.error:
            continue
    return False


def _limit_memory(max_memory_mb: int) -> None:
    """Let this process's address space grow by ``max_memory_mb`` beyond its present size."""
    with open("/proc/self/statm", encoding="ascii") as f:
        present = int(f.read().split()[0]) * resource.getpagesize()
    limit = present + (max_memory_mb << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child_result(path: Path, password: str | None, max_memory_mb: int, ocr: OcrReader | None) -> tuple[str, object]:
    try:
        if max_memory_mb:
            if inflates_beyond(path.read_bytes(), max_memory_mb << 20):
                return "error", _too_large(max_memory_mb)
            _limit_memory(max_memory_mb)
        got = read_pages(path, password, ocr)
        got["origins"] = _pack(got["layout"].origins)
        got["layout"].origins = []
        return "ok", got
    except IngestError as e:
        return "error", str(e)
    except MemoryError:
        return "error", _too_large(max_memory_mb)
    except Exception as e:  # noqa: BLE001 - reported to the parent as the document's error
        return "error", f"unexpected {type(e).__name__}: {e}"


def _run_child(write_fd: int, path: Path, password: str | None, max_memory_mb: int, ocr: OcrReader | None) -> None:
    """The forked child's whole life: read, send the pickled result, exit without cleanup."""
    code = 0
    try:
        data = pickle.dumps(_child_result(path, password, max_memory_mb, ocr), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_fd, "wb") as out:
            out.write(data)
    except BaseException:  # noqa: BLE001 - the parent sees the missing result and the exit code
        code = 1
    finally:
        os._exit(code)


def _receive(read_fd: int, pid: int, timeout_s: float) -> bytes | None:
    """Everything the child writes until it closes its end; None when the time limit passes first."""
    deadline = time.monotonic() + timeout_s
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read_fd], [], [], left)[0]:
            os.kill(pid, signal.SIGKILL)
            return None
        chunk = os.read(read_fd, _READ_CHUNK)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def read_with_watchdog(
    path: Path, password: str | None, timeout_s: float | None, max_memory_mb: int, ocr: OcrReader | None = None
) -> dict:
    """:func:`.pdf_pages.read_pages` in a forked child under ``timeout_s`` seconds and ``max_memory_mb``
    of growth; with no ``timeout_s``, in this process with no limits."""
    if not timeout_s:
        return read_pages(path, password, ocr)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        _run_child(write_fd, path, password, max_memory_mb, ocr)
    os.close(write_fd)
    try:
        data = _receive(read_fd, pid, timeout_s)
    finally:
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
    if data is None:
        raise IngestError(f"timed out after {timeout_s:g} s (raise ingest.timeout_s, or check the file)")
    if not data:
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        hint = f"; it may have run past ingest.max_memory_mb = {max_memory_mb}" if max_memory_mb and code < 0 else ""
        raise IngestError(f"PDF reader crashed (exit code {code}{hint})")
    outcome, payload = pickle.loads(data)
    if outcome == "error":
        raise IngestError(payload)
    payload["layout"].origins = _unpack(*payload.pop("origins"))
    return payload
