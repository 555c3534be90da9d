"""Name what differs between the committed dvc.lock (``git show HEAD:dvc.lock``) and the working one.

Prints one line per stage entry that differs (a dep, param or out, with both hashes) and exits 1, or
exits 0 when they are the same. Used by scripts/check_reproducible.sh.

    python scripts/lock_diff.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml


def entries(stage: dict) -> dict[str, object]:
    """A lock stage as ``{"deps <path>": hash, "outs <path>": hash, "params <key>": value, "cmd": ...}``."""
    out: dict[str, object] = {"cmd": stage.get("cmd")}
    for kind in ("deps", "outs"):
        for e in stage.get(kind, []):
            out[f"{kind} {e['path']}"] = e.get("md5") or e.get("hash")
    for file, params in (stage.get("params") or {}).items():
        for key, value in params.items():
            out[f"params {file}:{key}"] = value
    return out


def differences(old: dict, new: dict) -> list[str]:
    lines = []
    for name in sorted(set(old["stages"]) | set(new["stages"])):
        a, b = old["stages"].get(name), new["stages"].get(name)
        if a is None or b is None:
            lines.append(f"{name}: {'added' if a is None else 'removed'}")
            continue
        ea, eb = entries(a), entries(b)
        for key in sorted(set(ea) | set(eb)):
            if ea.get(key) != eb.get(key):
                lines.append(f"{name}: {key}: committed {ea.get(key)} -> reproduced {eb.get(key)}")
    return lines


def main() -> int:
    committed = yaml.safe_load(subprocess.run(["git", "show", "HEAD:dvc.lock"], check=True, capture_output=True).stdout)
    lines = differences(committed, yaml.safe_load(Path("dvc.lock").read_text(encoding="utf-8")))
    for line in lines:
        print(f"dvc.lock: {line}")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
