"""Publishing under hostile conditions, through the real CLI: formula cells, ``kill -9``, two runs at once.

A generated corpus is published once; then a run is killed (SIGKILL, sent by the process to itself
at a chosen point: while a parse is written, then after three tables of the publish) and
``outputs/`` must still be the first run's, whole; a publish afterwards completes and cleans up.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from pipeline.core import names
from pipeline.core.lock import hold, lock_file
from pipeline.core.schema import FORMULA_START
from pipeline.publish import _write_table

pytestmark = pytest.mark.model

HOSTILE = (
    '=HYPERLINK("http://evil.example","Kazakh returnees")\n\n'
    "@SUM(1+1) Kazakhs moved from Mongolia to Kazakhstan in 1992, said the Ministry of Foreign Affairs.\n\n"
    "-2+3 percent of the population left Almaty in 1999.\n\n"
    "+7 families returned to Bayan-Olgii in 2001.\n"
)
SECOND = "Kazakh Returnees\n\nIn 1994 about 900 Kazakhs moved from Mongolia to Kazakhstan.\n"
#: The pipeline process; argv[1] names where it kills itself (SIGKILL): "parse", "publish" or "-" (nowhere).
RUNNER = """
import os, signal, sys
where = sys.argv[1]
if where == "parse":  # killed while the parse is serialized (the file may already be open for writing)
    from spacy.tokens import DocBin
    def to_bytes(self):
        os.kill(os.getpid(), signal.SIGKILL)
    DocBin.to_bytes = to_bytes
if where == "publish":  # three tables written, then killed
    import pipeline.publish as publish
    real, written = publish._write_table, []
    def _write_table(out_dir, name, df):
        real(out_dir, name, df)
        written.append(name)
        if len(written) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
    publish._write_table = _write_table
from pipeline.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _pipeline(*argv: str, kill_in: str = "-") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", RUNNER, kill_in, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _run_args(base: Path) -> list[str]:
    return ["run", "--raw", str(base / "raw"), "--out", str(base / "out"), "--work", str(base / "work")] + [
        "--gold",
        str(base / "no_gold"),
    ]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A first complete run: (base folder, snapshot of its outputs/)."""
    base = tmp_path_factory.mktemp("hostile_publish")
    raw = base / "raw"
    raw.mkdir()
    (raw / "=cmd.txt").write_text(HOSTILE, encoding="utf-8")
    (raw / "-rf.txt").write_bytes(b"")
    proc = _pipeline(*_run_args(base))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return base, _snapshot(base / "out")


def _csv(snapshot: dict[str, bytes], table: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(snapshot[f"{table}.csv"].decode("utf-8"), newline="")))


def test_hostile_publish_csv_text_cells_are_spreadsheet_safe(published):
    base, snap = published
    docs = {r["n_chars"]: r for r in _csv(snap, names.T_DOCUMENTS)}
    assert len(docs) == 2
    hostile, empty = docs[str(len((base / "out" / "texts" / "_cmd.txt").read_text(encoding="utf-8")))], docs["0"]
    assert (hostile["doc_id"], hostile["source"]) == ("_cmd", "'=cmd.txt")
    assert hostile["title"] == "'" + '=HYPERLINK("http://evil.example","Kazakh returnees")'
    assert (empty["doc_id"], empty["source"], empty["error"]) == ("'-rf", "'-rf.txt", "'-rf.txt: empty file")
    parquet = pd.read_parquet(base / "out" / "documents.parquet").set_index("doc_id")
    assert parquet.loc["_cmd", "title"] == '=HYPERLINK("http://evil.example","Kazakh returnees")'  # raw text kept
    assert parquet.loc["-rf", "source"] == "-rf.txt"


def test_hostile_publish_no_csv_cell_starts_a_formula(published):
    _, snap = published
    package = json.loads(snap["datapackage.json"])
    checked = 0
    for res in package["resources"]:
        if res["format"] != "csv":
            continue
        types = {f["name"]: f["type"] for f in res["schema"]["fields"]}
        for row in _csv(snap, res["name"]):
            for col, cell in row.items():
                if types.get(col) in ("integer", "number"):
                    assert cell == "" or float(cell) == float(cell), (res["name"], col, cell)
                else:
                    assert not cell.startswith(FORMULA_START[:-1]), (res["name"], col, cell)
                checked += 1
    assert checked > 100


def test_hostile_publish_numbers_stay_numbers():
    df = pd.DataFrame(
        {
            "text": pd.Series(["-5", "=1+1", "'quoted", "Almaty", None], dtype="string"),
            "value": pd.Series([-5.0, -0.5, 3.0, None, 1.0], dtype="Float64"),
            "n": pd.Series([-2, 0, 1, 2, None], dtype="Int64"),
        }
    )
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        _write_table(Path(d), "t", df)
        text = (Path(d) / "t.csv").read_text(encoding="utf-8")
        assert pd.read_parquet(Path(d) / "t.parquet")["text"].tolist()[:4] == ["-5", "=1+1", "'quoted", "Almaty"]
    assert text == "text,value,n\n'-5,-5.0,-2\n'=1+1,-0.5,0\n''quoted,3.0,1\nAlmaty,,2\n,1.0,\n"


def test_hostile_publish_kill_9_leaves_the_previous_outputs_whole(published):
    base, first = published
    out, work = base / "out", base / "work"
    (base / "raw" / "second.txt").write_text(SECOND, encoding="utf-8")

    killed = _pipeline(*_run_args(base), kill_in="parse")  # killed while writing second.spacy
    assert killed.returncode == -signal.SIGKILL
    assert _snapshot(out) == first
    assert not (work / "parse" / "second.spacy").exists()
    from spacy.tokens import DocBin

    for path in (work / "parse").glob("*.spacy"):  # every parse file there is whole
        assert len(DocBin().from_disk(path)) == 1, path

    killed = _pipeline(*_run_args(base), kill_in="publish")  # killed after three of the tables
    assert killed.returncode == -signal.SIGKILL
    assert _snapshot(out) == first

    done = _pipeline("publish", "--tables", str(work / "reviewed"), "--ingest", str(work / "ingest"), "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    now = _snapshot(out)
    assert "texts/second.txt" in now and "texts/second.txt" not in first
    assert {r["doc_id"] for r in _csv(now, names.T_DOCUMENTS)} == {"_cmd", "'-rf", "second"}
    package = json.loads(now["datapackage.json"])
    tables = [res["name"] for res in package["resources"] if res["format"] == "csv"]
    assert tables == ["citations", "documents", "entities", "entity_index", "events", "figures", "timeline"]
    for table in tables:
        assert len(pd.read_parquet(out / f"{table}.parquet")) == len(_csv(now, table)), table
    assert sorted(p.name for p in base.iterdir() if p.name.startswith(".")) == [".out.lock", ".work.lock"]
    assert not list((work / "parse").glob(".*"))  # no temporary file is left


def test_hostile_publish_a_second_run_on_the_same_folder_stops(published):
    base, _ = published
    other = base / "other"
    with hold(base / "work"):
        proc = _pipeline("run", "--raw", str(base / "raw"), "--out", str(other), "--work", str(base / "work"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        f"error: {base / 'work'} is in use by another pipeline run (lock file {lock_file(base / 'work')}); "
        "wait for that run to end, or give this one other --work/--out folders"
    )
    with hold(base / "out"):
        proc = _pipeline(
            "publish",
            "--tables",
            str(base / "work" / "reviewed"),
            "--ingest",
            str(base / "work" / "ingest"),
            "--out",
            str(base / "out"),
        )
    assert proc.returncode == 2
    assert f"error: {base / 'out'} is in use by another pipeline run" in proc.stderr
    assert not other.exists()


def test_hostile_publish_the_reference_validator_accepts_formula_cells_and_a_failed_document(published):
    """``'=cmd.txt``, ``'-rf`` (a failed, empty file) and formula texts: still a valid package, keys included."""
    base, _ = published
    frictionless = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run(
        [str(frictionless), "validate", "--json", str(base / "out" / "datapackage.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, [e["message"] for t in report["tasks"] for e in t["errors"]][:10]
    rows = {t["name"]: t["stats"].get("rows", 0) for t in report["tasks"]}  # no "rows" for an empty table
    documents = pd.read_parquet(base / "out" / "documents.parquet")  # 2 papers, or 3 after the kill test's publish
    assert {"_cmd", "-rf"} <= set(documents["doc_id"])
    assert rows["documents"] == rows["documents-parquet"] == len(documents)
    assert (rows["citations"], rows["citations-parquet"]) == (0, 0)
