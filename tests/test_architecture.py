"""The package's shape: imports only point down the layers, no cycles, and every stage's cache key
and DVC deps cover the code it runs.

The allowed order is written once, here (:data:`LAYERS`, bottom first). A module may import modules
of its own package and of packages in lower layers; two packages of one layer never import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from pipeline.core.incremental import STAGE_CODE, STAGE_PACKAGES

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "pipeline"

LAYERS: list[list[str]] = [
    ["core"],
    ["annotations"],
    ["ingest"],
    ["parse"],
    ["entities", "events"],
    ["figures"],  # dates its figures with the events' time-expression reader
    ["consolidate"],
    ["training"],
    ["review"],
    ["publish"],
    ["evaluate"],
    ["report", "run", "cli", "__main__", "__init__"],  # the top: the command line and `pipeline run`
]
LAYER_OF = {name: i for i, layer in enumerate(LAYERS) for name in layer}
TOP = len(LAYERS) - 1


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str:
    """``pipeline.review.apply`` -> ``review``; ``pipeline`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path) -> set[str]:
    """The pipeline modules ``path`` imports (absolute or relative, at any depth of the file)."""
    mod = module_name(path)
    base = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "pipeline"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                target = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "pipeline":
                continue
            for alias in node.names:  # `from pipeline.core import names` imports the module pipeline.core.names
                sub = f"{target}.{alias.name}"
                out.add(sub if module_path(sub) else target)
    return out


def module_path(module: str) -> Path | None:
    p = ROOT.joinpath(*module.split("."))
    for cand in (p.with_suffix(".py"), p / "__init__.py"):
        if cand.exists():
            return cand
    return None


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted(PKG.rglob("*.py"))}


def test_architecture_every_package_has_a_layer():
    packages = {package_of(m) for m in graph()}
    assert packages <= set(LAYER_OF), f"packages without a layer in LAYERS: {sorted(packages - set(LAYER_OF))}"


def test_architecture_imports_point_down():
    upward = []
    for mod, targets in graph().items():
        src = package_of(mod)
        for t in sorted(targets):
            dst = package_of(t)
            if dst == src or (LAYER_OF[src] == TOP and LAYER_OF[dst] == TOP):
                continue
            if LAYER_OF[dst] >= LAYER_OF[src]:
                upward.append(f"{mod} -> {t}")
    assert upward == [], "imports pointing up (or across) the layers:\n" + "\n".join(upward)


def test_architecture_no_import_cycles():
    g = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(g.get(m, ())):
            if t not in g:
                continue
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t) :] + [t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(g):
        if m not in state:
            visit(m)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("stage", STAGE_PACKAGES)
def test_architecture_per_document_stage_runs_exactly_the_code_its_key_hashes(stage):
    """The per-document cache key hashes the packages ``STAGE_CODE`` lists for the stage (stage_version): the
    stage must reach nothing else of the pipeline, or an edit there would leave stale outputs."""
    assert reachable_packages(stage) == set(STAGE_CODE[stage])


def reachable_packages(package: str) -> set[str]:
    g = graph()
    seen: set[str] = set()
    todo = [m for m in g if package_of(m) == package]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo += [t for t in g.get(m, ()) if t in g]
    return {package_of(m) for m in seen}


def dvc_stages() -> dict[str, dict]:
    return yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


def stage_package(cmd: str) -> str:
    """``python -m pipeline review apply …`` -> ``review``; ``… train --model transformer`` -> ``training``."""
    word = cmd.split()[3]
    training = {"train": "training", "calibrate": "training", "labels": "training", "train-set": "training"}
    # pdf-run: `pipeline run` over the gold PDFs; loo: the leave-one-document-out scores of evaluate
    return {**training, "pdf-run": "run", "loo": "evaluate"}.get(word, word)


@pytest.mark.parametrize("name", sorted(dvc_stages()))
def test_architecture_dvc_deps_cover_the_code_a_stage_runs(name):
    stage = dvc_stages()[name]
    package = stage_package(stage["cmd"])
    deps = {str(d).rstrip("/") for d in stage.get("deps", [])}
    needed = {f"pipeline/{p}" for p in reachable_packages(package) if (PKG / p).is_dir()}
    missing = sorted(needed - deps)
    assert missing == [], f"dvc.yaml stage {name!r} runs code in {missing} but does not depend on it"
    extra = sorted(d for d in deps if d.startswith("pipeline/") and d not in needed)
    assert extra == [], f"dvc.yaml stage {name!r} depends on code it does not run: {extra}"


def test_architecture_training_documents_listed_once():
    text = (ROOT / "dvc.yaml").read_text()
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    for doc_id in params["train"]["train_docs"]:
        assert doc_id not in text, f"{doc_id} is written in dvc.yaml; the list lives in params.yaml train.train_docs"


def test_architecture_graph_sees_imports_inside_functions():
    """The checker itself: a lazy import inside a function counts (literal module below)."""
    g = graph()
    assert "pipeline.core.params" in g["pipeline.cli"]
    assert package_of("pipeline.review.apply") == "review" and package_of("pipeline") == "__init__"
