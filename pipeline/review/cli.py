"""``pipeline review export|import|apply|serve``: the annotator's commands (see docs/annotating.md).

:func:`register` adds the ``review`` group to the main parser's sub-commands.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

FORMATS = ("labelstudio", "csv")


def _params(path: Path) -> dict[str, Any]:
    from pipeline.core.params import load_params

    return dict((load_params(path) if path.exists() else {}).get("review") or {})


def cmd_export(a: argparse.Namespace) -> int:
    """Write the extractions for review, as the decisions in --reviews left them: Label Studio tasks + config, or a CSV sheet.

    Corrected values, moved spans and added rows show as they are now; rejected rows are left out of
    Label Studio and marked ``rejected`` in the sheet, never offered as new suggestions.

    Example: python -m pipeline review export --format labelstudio --out review_export/
             python -m pipeline review export --format csv --out review_export/sheet.csv
    """
    from pipeline.review.apply import load_docs, load_tables
    from pipeline.review.state import reviewed_state

    extracted, docs = load_tables(Path(a.tables)), load_docs(Path(a.ingest))
    tables = reviewed_state(extracted, docs, Path(a.reviews), _params(a.params))
    if a.docs:
        docs = {k: v for k, v in docs.items() if k in set(a.docs)}
    out = Path(a.out)
    if a.format == "csv":
        from pipeline.review.csvsheet import write_sheet

        out = out / "sheet.csv" if out.suffix != ".csv" else out
        out.parent.mkdir(parents=True, exist_ok=True)
        write_sheet(out, tables, docs)
        print(f"review export: sheet for {len(docs)} documents in {out}")
        return 0
    from pipeline.review.labelstudio import export_label_studio

    tasks, config = export_label_studio(tables, docs)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tasks.json").write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "config.xml").write_text(config, encoding="utf-8")
    print(
        f"review export: {len(tasks)} Label Studio tasks in {out / 'tasks.json'}, labelling config in {out / 'config.xml'}"
    )
    return 0


def _users(a: argparse.Namespace) -> Any:
    """Label Studio's users, to name annotators: --users FILE (saved GET /api/users), or asked of --url."""
    if a.users:
        return json.loads(Path(a.users).read_text(encoding="utf-8"))
    if not a.url:
        return None
    import os
    import urllib.request

    token = a.token or os.environ.get("LABEL_STUDIO_API_KEY")
    if not token:
        raise ValueError("--url needs --token or LABEL_STUDIO_API_KEY (Label Studio: Account & Settings → token)")
    req = urllib.request.Request(a.url.rstrip("/") + "/api/users", headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read().decode("utf-8"))
    except OSError as e:
        raise RuntimeError(f"could not read the users of Label Studio at {a.url}: {e}") from e


def cmd_import(a: argparse.Namespace) -> int:
    """Turn a Label Studio JSON export or a filled CSV sheet into a new decision file in reviews/.

    Example: python -m pipeline review import export.json
             python -m pipeline review import --format labelstudio --in export.json --reviews reviews
             python -m pipeline review import --format csv --in sheet.csv --author alice
    """
    from pipeline.annotations.decisions import append_decisions, now, session_file

    given = [x for x in (a.file, getattr(a, "in")) if x]
    if len(given) != 1:
        raise ValueError("give the file to import once: review import FILE (or --in FILE)")
    src = Path(given[0])
    if (a.format or ("csv" if src.suffix.lower() == ".csv" else "labelstudio")) == "csv":
        from pipeline.review.apply import load_docs
        from pipeline.review.csvsheet import import_sheet

        if not a.author:
            raise ValueError("--author is required for a CSV sheet")
        decisions = import_sheet(src.read_text(encoding="utf-8"), load_docs(Path(a.ingest)), a.author, source=str(src))
    else:
        from pipeline.review.labelstudio import import_label_studio

        decisions = import_label_studio(
            src.read_text(encoding="utf-8"), author=a.author, users=_users(a), source=str(src)
        )
    by_author: dict[str, list] = {}
    for d in decisions:
        by_author.setdefault(d.author, []).append(d)
    stamp = now()
    for author, ds in sorted(by_author.items()):
        path = session_file(Path(a.reviews), author, stamp)
        append_decisions(path, ds)
        print(f"review import: {len(ds)} decisions by {author} → {path}")
    if not decisions:
        print("review import: no decisions found (were the tasks annotated and submitted?)")
    return 0


def cmd_apply(a: argparse.Namespace) -> int:
    """Apply every decision in reviews/ to the tables; write reviewed tables and review/*.parquet.

    Example: python -m pipeline review apply --tables data/tables --ingest data/ingest --reviews reviews --out data/reviewed
    """
    from pipeline.review.apply import apply

    result = apply(Path(a.tables), Path(a.ingest), Path(a.reviews), Path(a.out), _params(a.params))
    print(result.summary())
    return 0


def cmd_serve(a: argparse.Namespace) -> int:
    """Review in the browser: a local page (127.0.0.1, token in the URL) that writes decisions to reviews/.

    PDF documents show the selected extraction's page with its box; the PDFs are read from --raw.

    Example: python -m pipeline review serve --outputs outputs --reviews reviews --author alice
    """
    from pipeline.review.serve import serve

    return serve(Path(a.outputs), Path(a.reviews), a.author, a.port, Path(a.raw))


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], list[tuple[str, dict[str, Any]]]]] = {
    "export": (
        cmd_export,
        [
            ("--format", {"choices": FORMATS, "default": "labelstudio"}),
            ("--tables", {"default": "data/tables"}),
            ("--ingest", {"default": "data/ingest"}),
            ("--reviews", {"default": "reviews", "help": "the decisions the export shows (default: reviews)"}),
            ("--out", {"default": "review_export"}),
            ("--docs", {"nargs": "*", "help": "only these doc_ids"}),
        ],
    ),
    "import": (
        cmd_import,
        [
            ("file", {"nargs": "?", "help": "the Label Studio JSON export or the filled CSV sheet"}),
            ("--format", {"choices": FORMATS, "help": "(default: csv for a .csv file, else labelstudio)"}),
            ("--in", {"help": "the same as FILE"}),
            ("--author", {"help": "annotator name (required for csv; overrides Label Studio's user)"}),
            (
                "--users",
                {"help": "Label Studio's users (JSON saved from GET /api/users): their e-mails name the authors"},
            ),
            ("--url", {"help": "or ask the Label Studio server at this URL for its users (with --token)"}),
            ("--token", {"help": "Label Studio API token for --url (default: $LABEL_STUDIO_API_KEY)"}),
            ("--ingest", {"default": "data/ingest"}),
            ("--reviews", {"default": "reviews"}),
        ],
    ),
    "apply": (
        cmd_apply,
        [
            ("--tables", {"default": "data/tables"}),
            ("--ingest", {"default": "data/ingest"}),
            ("--reviews", {"default": "reviews"}),
            ("--out", {"default": "data/reviewed"}),
        ],
    ),
    "serve": (
        cmd_serve,
        [
            ("--outputs", {"default": "outputs"}),
            ("--reviews", {"default": "reviews"}),
            ("--raw", {"default": "raw", "help": "the source documents, for PDF page images (default: raw)"}),
            ("--author", {"help": "annotator name (default: the login name)"}),
            ("--port", {"type": int, "default": 0, "help": "(default: 0, any free port)"}),
        ],
    ),
}


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``review export|import|apply|serve`` to the main parser's sub-commands."""
    p = subparsers.add_parser(
        "review",
        help="annotators' decisions: export for review, import, apply",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="review_command", required=True)
    for name, (fn, args) in COMMANDS.items():
        doc = (fn.__doc__ or "").strip()
        sp = sub.add_parser(
            name, help=doc.splitlines()[0], description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        for flag, kw in args:
            if "default" in kw and "help" not in kw:
                kw = {**kw, "help": f"(default: {kw['default']})"}
            sp.add_argument(flag, **kw)
        sp.add_argument("--params", default="params.yaml", type=Path, help="(default: params.yaml)")
        sp.set_defaults(func=fn)
    return p


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point (``python -m pipeline.review.cli``) until pipeline/cli.py registers the group."""
    parser = argparse.ArgumentParser(prog="pipeline")
    register(parser.add_subparsers(dest="command", required=True))
    a = parser.parse_args(argv)
    try:
        return a.func(a)
    except (FileNotFoundError, ValueError, RuntimeError) as e:
        print(f"error: {e}")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
