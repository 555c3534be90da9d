"""One set of CPU kernels for torch on every x86-64 machine, so model scores do not depend on the CPU.

PyTorch picks its vectorised kernels (softmax, GELU, layer norm, ...) by the CPU it starts on: AVX-512
where the CPU has it, else AVX2. The two round differently in the last bits, and a transformer score
rounded to 4 decimals then differs now and then between two machines: a clone on an AVX-512 machine
wrote other ``data/pdfs`` bytes than the committed ``dvc.lock`` (made on an AVX2 machine), with every
metric the same. :func:`pin_torch_kernels` asks torch for its AVX2 kernels wherever the CPU has AVX2
(``ATEN_CPU_CAPABILITY``, read once when torch loads), so both kinds of machine write the same bytes.
It must run before anything imports torch (spaCy's thinc does on import): :mod:`pipeline` calls it
first. A user's own ``ATEN_CPU_CAPABILITY`` is kept. GEMMs (MKL, OpenBLAS, fbgemm) pick their own
kernels; with this pin alone the AVX-512 machine reproduced the other's committed bytes, and the scores
that reach the tables are rounded (:data:`pipeline.entities.SCORE_PLACES`) so that the last bits a kernel
may change stay out of them.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

TORCH_CAPABILITY_ENV = "ATEN_CPU_CAPABILITY"
TORCH_CAPABILITY = "avx2"


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The CPU's feature flags (Linux ``/proc/cpuinfo``); empty where that file is not there."""
    try:
        with cpuinfo.open(encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def pin_torch_kernels() -> str | None:
    """Set ``ATEN_CPU_CAPABILITY=avx2`` on an x86-64 CPU with AVX2 (returns it), unless the user set it or
    torch is already loaded (returns None: then it is too late, and nothing changes). Never on a CPU
    without AVX2, where torch would run instructions the CPU lacks."""
    if TORCH_CAPABILITY_ENV in os.environ or "torch" in sys.modules:
        return None
    if platform.machine().lower() not in ("x86_64", "amd64") or "avx2" not in cpu_flags():
        return None
    os.environ[TORCH_CAPABILITY_ENV] = TORCH_CAPABILITY
    return TORCH_CAPABILITY
