"""Running the pipeline: determinism, incremental re-runs, removals and bad inputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import RAW

from pipeline import load_dataset
from pipeline.core import names
from pipeline.ingest import main as ingest_main
from pipeline.run import run

pytestmark = pytest.mark.model


def _stage_log(work: Path, stage: str) -> dict:
    return json.loads((work / "logs" / f"{stage}.json").read_text())


def _small_corpus(tmp_path: Path, names_: list[str]) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for n in names_:
        shutil.copy(RAW / n, raw / n)
    return raw


def test_pipeline_same_inputs_give_byte_identical_outputs(tmp_path, params, corpus_run):
    raw, out1, _ = corpus_run
    out2 = tmp_path / "outputs"
    assert run(raw, out2, tmp_path / "data", params) == 0
    files1 = sorted(p.relative_to(out1) for p in out1.rglob("*") if p.is_file())
    files2 = sorted(p.relative_to(out2) for p in out2.rglob("*") if p.is_file())
    assert files1 == files2
    for rel in files1:
        assert (out1 / rel).read_bytes() == (out2 / rel).read_bytes(), rel


def test_pipeline_adding_a_paper_processes_only_that_paper(tmp_path, params):
    raw = _small_corpus(tmp_path, ["004_079214a4568c4b32.txt", "002_a7ba452f2a3fc99c.txt"])
    out, work = tmp_path / "out", tmp_path / "data"
    assert run(raw, out, work, params) == 0
    shutil.copy(RAW / "000_95dc770c8c7f5368.txt", raw)
    assert run(raw, out, work, params) == 0
    for stage in ("ingest", "parse", "entities", "figures", "events"):
        log = _stage_log(work, stage)
        assert log["processed"] == ["000_95dc770c8c7f5368"], stage
        assert log["reused"] == ["002_a7ba452f2a3fc99c", "004_079214a4568c4b32"], stage
    assert set(load_dataset(out)[names.T_DOCUMENTS]["doc_id"]) == {
        "000_95dc770c8c7f5368",
        "002_a7ba452f2a3fc99c",
        "004_079214a4568c4b32",
    }


def test_pipeline_removing_a_paper_removes_its_rows(tmp_path, params):
    raw = _small_corpus(tmp_path, ["004_079214a4568c4b32.txt", "002_a7ba452f2a3fc99c.txt"])
    out, work = tmp_path / "out", tmp_path / "data"
    assert run(raw, out, work, params) == 0
    (raw / "002_a7ba452f2a3fc99c.txt").unlink()
    assert run(raw, out, work, params) == 0
    assert _stage_log(work, "ingest")["removed"] == ["002_a7ba452f2a3fc99c"]
    data = load_dataset(out)
    for table in (names.T_DOCUMENTS, names.T_ENTITIES, names.T_FIGURES, names.T_EVENTS):
        assert set(data[table]["doc_id"]) == {"004_079214a4568c4b32"}, table
    assert not (out / "texts" / "002_a7ba452f2a3fc99c.txt").exists()


def test_pipeline_changing_a_parameter_reprocesses_what_it_affects(tmp_path, params):
    raw = _small_corpus(tmp_path, ["004_079214a4568c4b32.txt"])
    work = tmp_path / "data"
    assert run(raw, tmp_path / "out", work, params) == 0
    changed = {**params, "entities": {**params["entities"], "use_pretrained": False}}
    assert run(raw, tmp_path / "out", work, changed) == 0
    assert _stage_log(work, "entities")["processed"] == ["004_079214a4568c4b32"]
    assert _stage_log(work, "figures")["reused"] == ["004_079214a4568c4b32"]


def _pdf_bytes_encrypted(password: str) -> bytes:
    import io

    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption(password, ownerPassword="owner"))
    c.drawString(72, 720, "A secret about 500 returnees in 2019.")
    c.save()
    return buf.getvalue()


def _pdf_bytes_scanned() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(72, 600, 300, 100, fill=1)  # an "image" with no text layer
    c.save()
    return buf.getvalue()


BAD_INPUTS = {
    "empty.txt": (b"", names.STATUS_ERROR, "empty.txt: empty file"),
    "junk.txt": (bytes(range(256)) * 20, names.STATUS_ERROR, "junk.txt: binary content, not text"),
    "latin1.txt": (
        "Caf\u00e9 society in Almaty, 1992.".encode("cp1252"),
        names.STATUS_WARNING,
        "latin1.txt: not UTF-8",
    ),
    "corrupt.pdf": (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage",
        names.STATUS_ERROR,
        "corrupt.pdf: corrupt or unreadable PDF",
    ),
    "locked.pdf": (_pdf_bytes_encrypted("s3cret"), names.STATUS_ERROR, "locked.pdf: encrypted: password required"),
    "scan.pdf": (_pdf_bytes_scanned(), names.STATUS_ERROR, "scan.pdf: no text layer (needs OCR)"),
}


def test_pipeline_bad_inputs_get_error_rows_and_the_others_go_on(tmp_path, params, capsys):
    raw = _small_corpus(tmp_path, ["004_079214a4568c4b32.txt"])
    for name, (data, _, _) in BAD_INPUTS.items():
        (raw / name).write_bytes(data)
    (raw / "notes.docx").write_bytes(b"PK\x03\x04")
    out = tmp_path / "out"
    assert run(raw, out, tmp_path / "data", params) == 0
    docs = load_dataset(out)[names.T_DOCUMENTS].set_index("source")
    for name, (_, status, reason) in BAD_INPUTS.items():
        assert docs.loc[name, "status"] == status, name
        assert docs.loc[name, "error"].startswith(reason), (name, docs.loc[name, "error"])
    assert docs.loc["004_079214a4568c4b32.txt", "status"] == names.STATUS_OK
    assert "notes.docx" not in docs.index
    err = capsys.readouterr().err
    assert "notes.docx: skipped, unknown extension '.docx'" in err
    assert "empty.txt: empty file" in err


def test_pipeline_encrypted_pdf_opens_with_its_password_from_params(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "locked.pdf").write_bytes(_pdf_bytes_encrypted("s3cret"))
    ingest_main(raw, tmp_path / "ingest", {"passwords": {"locked.pdf": "s3cret"}})
    from pipeline.core.io import load_document

    doc = load_document(tmp_path / "ingest" / "locked.json")
    assert doc.status == names.STATUS_OK
    assert "about 500 returnees in 2019" in doc.text


def test_pipeline_exits_nonzero_when_no_document_is_readable(tmp_path, params):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "empty.txt").write_bytes(b"")
    assert run(raw, tmp_path / "out", tmp_path / "data", params) == 1
