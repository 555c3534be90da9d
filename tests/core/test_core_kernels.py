"""torch runs the same kernels on every x86-64 CPU with AVX2 (pipeline.core.kernels), so model scores match."""

import os
import subprocess
import sys

import pytest

from pipeline.core.kernels import TORCH_CAPABILITY_ENV, cpu_flags

CHECK = "import pipeline, torch; print(torch.backends.cpu.get_cpu_capability())"
HAS_AVX2 = "avx2" in cpu_flags()


def capability(env: dict[str, str]) -> str:
    """torch's CPU capability in a fresh process that imports pipeline first, as every stage does."""
    env = {k: v for k, v in os.environ.items() if k != TORCH_CAPABILITY_ENV} | env
    done = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(not HAS_AVX2, reason="a CPU without AVX2 keeps torch's own choice")
def test_torch_uses_avx2_kernels_even_on_an_avx512_cpu():
    assert capability({}) == "AVX2"


def test_a_users_own_setting_is_kept():
    assert capability({TORCH_CAPABILITY_ENV: "default"}) == "DEFAULT"


def test_cpu_flags_reads_the_flags_line(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2 fma\n", encoding="ascii")
    assert cpu_flags(info) == {"fpu", "sse2", "avx", "avx2", "fma"}
    assert cpu_flags(tmp_path / "missing") == set()
