"""What ingest leaves for the corpus-level readers, so that they never open every document: each readable
document's canonical text alone (``<doc_id>.txt``) and its status and error in the manifest."""

from __future__ import annotations

import json
import shutil

import pytest

from pipeline import ingest
from pipeline.core import ingested, names
from pipeline.core.incremental import MANIFEST, stage_notes
from pipeline.core.io import DOC_SUFFIX, TEXT_SUFFIX, load_document
from pipeline.report import ingest_summary
from tests.conftest import RAW
from tests.shared_pdfs import shared_pdf

PDF = "zonszein2024_apsr_ethnic_minority_turnout.pdf"


@pytest.fixture(scope="module")
def ingested_dir(tmp_path_factory):
    raw, out = tmp_path_factory.mktemp("raw"), tmp_path_factory.mktemp("ingest")
    shutil.copy(sorted(RAW.glob("*.txt"))[0], raw / "paper.txt")
    shutil.copy(shared_pdf(PDF), raw / "turnout.pdf")
    (raw / "latin1.txt").write_bytes("Caf\xe9 owners in Almaty founded the association in 2019.\n".encode("cp1252"))
    (raw / "broken.pdf").write_bytes(shared_pdf(PDF).read_bytes()[:3000])  # a download cut short
    result = ingest.main(raw, out, {})
    return out, result


def documents(out):
    return {
        p.name[: -len(DOC_SUFFIX)]: load_document(p) for p in sorted(out.glob(f"*{DOC_SUFFIX}")) if p.name != MANIFEST
    }


def test_every_readable_document_has_its_canonical_text_alone_beside_it(ingested_dir):
    out, _ = ingested_dir
    docs = documents(out)
    assert docs["broken"].status == names.STATUS_ERROR and not (out / f"broken{TEXT_SUFFIX}").exists()
    for doc_id in ("paper", "turnout", "latin1"):
        assert (out / f"{doc_id}{TEXT_SUFFIX}").read_bytes() == docs[doc_id].text.encode("utf-8")
        assert ingested.text(out, doc_id) == docs[doc_id].text
    files = json.loads((out / MANIFEST).read_text())["docs"]["turnout"]["files"]
    assert files == ["turnout.json", "turnout.txt"]  # so a removed or changed paper loses both


def test_the_manifest_notes_each_documents_status_and_error(ingested_dir):
    out, _ = ingested_dir
    docs = documents(out)
    assert docs["latin1"].status == names.STATUS_WARNING  # a guessed encoding is said
    notes = stage_notes(out)
    assert notes == {
        d: {"status": doc.status, **({"error": doc.error} if doc.error else {})} for d, doc in docs.items()
    }
    assert notes["broken"]["error"].startswith("broken.pdf: ")


def test_the_runs_summary_reads_no_document(ingested_dir, monkeypatch, capsys):
    out, result = ingested_dir
    docs = documents(out)

    def never(path):
        raise AssertionError(f"{path} opened")

    monkeypatch.setattr(ingested, "load_document", never)
    assert ingest_summary(out, result) == 0
    captured = capsys.readouterr()
    assert captured.out.endswith("; 3 of 4 documents readable\n")
    assert captured.err.splitlines() == [f"{docs[d].status:8} {docs[d].error}" for d in ("broken", "latin1")]


def test_documents_opens_only_the_documents_asked_for(ingested_dir, monkeypatch):
    out, _ = ingested_dir
    opened = []
    real = ingested.load_document
    monkeypatch.setattr(ingested, "load_document", lambda p: opened.append(p.name) or real(p))
    docs = ingested.Documents(out)
    assert list(docs) == ["latin1", "paper", "turnout"] and "broken" not in docs and len(docs) == 3
    assert opened == []
    assert docs["turnout"].fmt == names.FORMAT_PDF and docs["turnout"] is docs["turnout"]
    assert opened == ["turnout.json"]
    with pytest.raises(KeyError):
        docs["broken"]


def test_an_ingest_folder_without_notes_or_texts_is_still_read(ingested_dir, tmp_path):
    out, result = ingested_dir
    old = tmp_path / "ingest"
    shutil.copytree(out, old)
    for p in old.glob(f"*{TEXT_SUFFIX}"):
        p.unlink()
    manifest = json.loads((old / MANIFEST).read_text())
    for entry in manifest["docs"].values():
        entry.pop("note")
    (old / MANIFEST).write_text(json.dumps(manifest))
    assert ingested.statuses(old) == ingested.statuses(out)
    assert ingested.text(old, "turnout") == ingested.text(out, "turnout")
