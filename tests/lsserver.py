"""A real Label Studio server for the tests: the pinned release (requirements-labelstudio.txt) from its own
virtual environment (``make labelstudio``), on 127.0.0.1, a free port and a temporary data folder.

:func:`label_studio` is a session fixture (registered in conftest.py): the server starts once, with one
user made non-interactively (``--username/--password/--user-token``; ``--enable-legacy-api-token`` so the
token works as ``Authorization: Token …``), and is stopped after the session. :class:`LabelStudio` is
a small REST client of it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("LABEL_STUDIO_BIN", ROOT / ".venv-labelstudio" / "bin" / "label-studio"))
VERSION = "1.23.2"
EMAIL, PASSWORD, TOKEN = "alice@example.org", "alice-secret-1", "test-token-5f2a9c"
START_TIMEOUT = 300  # without the template, the database migrations run first (minutes)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabelStudio:
    url: str
    token: str
    email: str
    password: str
    data_dir: Path

    def api(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            raise AssertionError(f"{method} {path}: HTTP {e.code}: {e.read()[:2000]!r}") from None
        return json.loads(raw) if raw else None

    def project(self, title: str, config: str, tasks: list[dict]) -> int:
        """A new project with this labelling config and these tasks (imported with their predictions)."""
        pid = self.api("POST", "/api/projects", {"title": title, "label_config": config})["id"]
        self.api("POST", f"/api/projects/{pid}/import", tasks)
        return pid

    def tasks(self, project: int) -> list[dict]:
        """The project's tasks with their predictions, in import order."""
        page = self.api("GET", f"/api/tasks?project={project}&page_size=1000&fields=all")
        out = page["tasks"] if isinstance(page, dict) else page
        return sorted(out, key=lambda t: t["id"])

    def annotate(self, task_id: int, result: list[dict]) -> dict:
        """Submit an annotation of a task as the user, the way the UI's *Submit* sends it."""
        return self.api("POST", f"/api/tasks/{task_id}/annotations", {"result": result, "was_cancelled": False})

    def export(self, project: int) -> list[dict]:
        """The project's JSON export (what *Export → JSON* downloads)."""
        return self.api("GET", f"/api/projects/{project}/export?exportType=JSON&download_all_tasks=true")


def start(base: Path) -> tuple[subprocess.Popen, LabelStudio]:
    if not BIN.exists():
        pytest.fail(f"{BIN} not found: run `make labelstudio` (Label Studio {VERSION} in .venv-labelstudio)")
    port = free_port()
    data = base / "label-studio"
    template = BIN.parent.parent / "template"  # migrated by `make labelstudio`: a start in seconds, not minutes
    if template.is_dir():
        shutil.copytree(template, data)
    data.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(data),
        "LATEST_VERSION_CHECK": "false",  # no request to the package index at start
        "COLLECT_ANALYTICS": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
    }
    cmd = [
        str(BIN),
        "start",
        "--no-browser",
        "--internal-host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data),
        "--username",
        EMAIL,
        "--password",
        PASSWORD,
        "--user-token",
        TOKEN,
        "--enable-legacy-api-token",
        "--log-level",
        "WARNING",
    ]
    log = (base / "label-studio.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ls = LabelStudio(f"http://127.0.0.1:{port}", TOKEN, EMAIL, PASSWORD, data)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"Label Studio exited ({proc.returncode}): {(base / 'label-studio.log').read_text()[-3000:]}")
        try:
            if ls.api("GET", "/api/version")["release"] == VERSION:
                return proc, ls
        except (OSError, AssertionError):
            pass
        if time.monotonic() > deadline:
            stop(proc)
            pytest.fail(f"Label Studio not up in {START_TIMEOUT} s: {(base / 'label-studio.log').read_text()[-3000:]}")
        time.sleep(1)


def stop(proc: subprocess.Popen) -> None:
    """Stop the server and the processes it started (its own process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory):
    """The pinned Label Studio on 127.0.0.1 for the whole session; stopped after it."""
    proc, ls = start(tmp_path_factory.mktemp("labelstudio"))
    try:
        yield ls
    finally:
        stop(proc)


# --- a small project to review: two texts with emoji and combining marks, its own pattern rules ----------

#: "Zhanaözen" with a combining diaeresis (o + U+0308); 🏔️ is two code points (U+1F3D4 U+FE0F), three UTF-16 units
ZH = "Zhanao\u0308zen"
RETURNEES = (
    "Returnees 🇰🇿 and the Oralman 😀 question\n\n"
    "In 1991 the Congress of the Alash movement met in Almaty. About 60,000 Kazakhs came from Bayan-Ölgii 🏔️ "
    "to Zhanao\u0308zen. President Nazarbayev welcomed them in Astana.\n\n"
    "Some returned to Mongolia later."
)
ARCHIVE = "Notes 🎉 on the archive\n\nThe Otandastar Foundation in Astana kept letters from Kurultai delegates."
RULES = [
    {"label": "GPE", "pattern": "Almaty", "id": "almaty"},
    {"label": "GPE", "pattern": "Astana", "id": "astana"},
    {"label": "GPE", "pattern": "Mongolia", "id": "mongolia"},
    {"label": "GPE", "pattern": "Alash", "id": "alash"},  # wrong: a movement
    {"label": "ORG", "pattern": "Congress", "id": "congress"},
    {"label": "PERSON", "pattern": "President Nazarbayev", "id": "nazarbayev"},
    {"label": "NORP", "pattern": "Kazakhs", "id": "kazakhs"},
    {"label": "ORG", "pattern": "Otandastar Foundation", "id": "otandastar"},
    {"label": "PERSON", "pattern": "Kurultai", "id": "kurultai"},  # wrong: a congress
]
RUN = ["run", "--raw", "raw", "--out", "outputs", "--work", "data", "--reviews", "reviews", "--params", "params.yaml"]


def make_project(base: Path, params: dict) -> Path:
    """A project folder (raw/, its pattern rules, params.yaml without pretrained NER), run once."""
    import copy

    import yaml

    from pipeline.run import run

    project = base / "project"
    (project / "raw").mkdir(parents=True)
    (project / "raw" / "returnees.txt").write_text(RETURNEES + "\n", encoding="utf-8")
    (project / "raw" / "archive.txt").write_text(ARCHIVE + "\n", encoding="utf-8")
    (project / "models" / "patterns").mkdir(parents=True)
    (project / "models" / "patterns" / "rules.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RULES))
    p = copy.deepcopy(params)
    p["entities"].update(patterns_dir="models/patterns", use_pretrained=False, spacy_ft="")
    p["consolidate"]["calibration"] = ""  # the project has no models/ner_calibration.json
    (project / "params.yaml").write_text(yaml.safe_dump(p))
    p["entities"]["patterns_dir"] = str(project / "models" / "patterns")
    assert run(project / "raw", project / "outputs", project / "data", p, reviews=project / "reviews") == 0
    return project


def cli(project: Path, *args: str, ok: bool = True, env: dict[str, str] | None = None) -> str:
    """``python -m pipeline ARGS`` in the project folder; its output (and the exit status checked)."""
    import sys

    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    r = subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=project, env=full, capture_output=True, text=True, timeout=300
    )
    assert (r.returncode == 0) == ok, r.stdout + r.stderr
    return r.stdout + r.stderr


def statuses(out: Path) -> dict[tuple[str, str, int, int], tuple]:
    """(table, text, start, end) → (label, value or event type, review_status) of every published row;
    each row's text checked against the canonical text at its offsets."""
    from pipeline import load_dataset
    from pipeline.core import names

    data = load_dataset(out)
    got = {}
    for table, col in ((names.T_ENTITIES, "label"), (names.T_FIGURES, "value"), (names.T_EVENTS, "event_type")):
        for r in data[table].to_dict("records"):
            text = (out / "texts" / f"{r['doc_id']}.txt").read_text(encoding="utf-8")
            assert text[r["start"] : r["end"]] == r["text"]
            got[(table, r["text"], r["start"], r["end"])] = (r[col], r["review_status"])
    return got


def span(text: str, quote: str) -> tuple[int, int]:
    s = text.index(quote)
    return s, s + len(quote)


def cli_here(project: Path, *args: str, ok: bool = True, env: dict[str, str] | None = None) -> str:
    """:func:`cli` in this process (the same ``main``, no interpreter start): for tests that run many commands."""
    import contextlib
    import io

    from pipeline.cli import main

    out, old_cwd, old_env = io.StringIO(), Path.cwd(), dict(os.environ)
    try:
        os.chdir(project)
        os.environ.update(env or {})
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            rc = main(list(args))
    finally:
        os.chdir(old_cwd)
        os.environ.clear()
        os.environ.update(old_env)
    assert (rc == 0) == ok, out.getvalue()
    return out.getvalue()
