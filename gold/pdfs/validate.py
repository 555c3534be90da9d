#!/usr/bin/env python3
"""Validate the PDF page gold set under gold/pdfs/ (standard library only).

Checks every file in entities/, figures/, events/ and pages/:
  * each line is one JSON object (pages/*.json: one JSON object per file);
  * required keys, no unknown keys, allowed values (labels, kinds, qualifiers,
    event types, granularities, date_mod), as in gold/figures/README.md,
    gold/events/README.md and docs/annotation_guidelines.md, plus "page";
  * "page" is one of the pages listed in pages/<doc_id>.json, and rows are in
    page order;
  * figures: `text` inside `context` (except table cells, whose context is
    "row header | column header"), value/low/high consistent;
  * events: trigger (one word), date_text, location and every participant
    inside `sentence`; ISO dates YYYY-MM-DD with date_start <= date_end;
  * pages files: source is <doc_id>.pdf, sha256 is 64 hex digits (and matches
    the PDF when the PDF is found in the PDF folder), two distinct pages.

Usage: python3 gold/pdfs/validate.py [gold_pdfs_dir] [pdf_dir]
       (defaults: this script's folder and /work/shared/pdfs)
Prints one line per problem as file:line: message, then a summary; exit status 1
if any problem is found.
"""

import datetime as dt
import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent
PDFS = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else pathlib.Path("/work/shared/pdfs")

LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "LAW", "EVENT", "FAC"}
KINDS = {"count", "percent", "money", "area", "length", "duration", "share", "other"}
QUALIFIERS = {"approx", "gt", "ge", "lt", "le", "eq"}
EVENT_TYPES = {"congress", "law", "founding", "agreement", "protest", "migration", "election", "conflict", "other"}
GRANULARITIES = {"day", "month", "year", "decade", "century"}
DATE_MODS = {None, "before", "after"}

ENTITY_KEYS = {"text", "label", "page"}
FIGURE_KEYS = {
    "text",
    "context",
    "value",
    "low",
    "high",
    "kind",
    "unit",
    "qualifier",
    "object",
    "place",
    "time",
    "source",
    "page",
}
FIGURE_OPTIONAL = {"note"}
EVENT_KEYS = {
    "sentence",
    "trigger",
    "event_type",
    "date_text",
    "date_start",
    "date_end",
    "granularity",
    "date_mod",
    "location",
    "participants",
    "page",
}
PAGES_KEYS = {"source", "sha256", "pages", "annotator", "notes"}
KINDS_DIRS = ("entities", "figures", "events")

problems: list[str] = []


def problem(where: str, msg: str) -> None:
    problems.append(f"{where}: {msg}")


def rel(path: pathlib.Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def is_str(x) -> bool:
    return isinstance(x, str) and x != ""


def is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def opt_str(x) -> bool:
    return x is None or is_str(x)


def load_pages() -> dict[str, list[int]]:
    """doc_id -> its page list, from pages/*.json."""
    pages: dict[str, list[int]] = {}
    for path in sorted((ROOT / "pages").glob("*")):
        where = rel(path)
        if path.suffix != ".json":
            problem(where, "unexpected file in pages/ (want <doc_id>.json)")
            continue
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            problem(f"{where}:1", f"invalid JSON ({e})")
            continue
        if not isinstance(rec, dict):
            problem(f"{where}:1", "not a JSON object")
            continue
        keys = set(rec)
        if keys != PAGES_KEYS:
            problem(f"{where}:1", f"keys: missing {sorted(PAGES_KEYS - keys)} unknown {sorted(keys - PAGES_KEYS)}")
        doc = path.stem
        if rec.get("source") != doc + ".pdf":
            problem(f"{where}:1", f"source {rec.get('source')!r} is not {doc + '.pdf'!r}")
        sha = rec.get("sha256")
        if not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha)):
            problem(f"{where}:1", f"sha256 {sha!r} is not 64 lower-case hex digits")
        else:
            pdf = PDFS / (doc + ".pdf")
            if pdf.exists() and hashlib.sha256(pdf.read_bytes()).hexdigest() != sha:
                problem(f"{where}:1", f"sha256 does not match {pdf}")
        plist = rec.get("pages")
        if not (
            isinstance(plist, list)
            and plist
            and all(isinstance(p, int) and not isinstance(p, bool) and p >= 1 for p in plist)
        ):
            problem(f"{where}:1", f"pages {plist!r} must be a list of 1-based page numbers")
            plist = []
        elif len(plist) != 2 or len(set(plist)) != 2:
            problem(f"{where}:1", f"pages {plist!r}: want two distinct pages")
        if not is_str(rec.get("annotator")):
            problem(f"{where}:1", "annotator must be a non-empty string")
        if not isinstance(rec.get("notes"), str):
            problem(f"{where}:1", "notes must be a string")
        pages[doc] = plist
    return pages


def rows(path: pathlib.Path):
    """(line number, object) for each line; bad lines are reported."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        problem(rel(path), f"not UTF-8 ({e})")
        return
    for n, line in enumerate(lines, 1):
        where = f"{rel(path)}:{n}"
        if not line.strip():
            problem(where, "blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            problem(where, f"invalid JSON ({e})")
            continue
        if not isinstance(obj, dict):
            problem(where, "not a JSON object")
            continue
        yield n, obj


def check_keys(where: str, obj: dict, required: set[str], optional: set[str] = frozenset()) -> bool:
    keys = set(obj)
    missing, unknown = required - keys, keys - required - optional
    if missing or unknown:
        problem(where, f"keys: missing {sorted(missing)} unknown {sorted(unknown)}")
    return not missing


def check_page(where: str, obj: dict, allowed: list[int], last: list[int]) -> None:
    page = obj.get("page")
    if not (isinstance(page, int) and not isinstance(page, bool)):
        problem(where, f"page {page!r} is not an integer")
        return
    if page not in allowed:
        problem(where, f"page {page} is not in the pages file's list {allowed}")
        return
    if page < last[0]:
        problem(where, f"page {page} after page {last[0]}: rows are not in page order")
    last[0] = max(last[0], page)


def check_entity(where: str, obj: dict, seen: set) -> None:
    if not is_str(obj.get("text")):
        problem(where, "text must be a non-empty string")
    elif obj["text"] != obj["text"].strip() or "  " in obj["text"]:
        problem(where, f"text {obj['text']!r} has stray whitespace")
    if obj.get("label") not in LABELS:
        problem(where, f"label {obj.get('label')!r} not in {sorted(LABELS)}")
    key = (obj.get("text"), obj.get("label"), obj.get("page"))
    if key in seen:
        problem(where, f"duplicate (text, label, page) {key!r}")
    seen.add(key)


def check_figure(where: str, obj: dict) -> None:
    text, context = obj.get("text"), obj.get("context")
    if not is_str(text):
        problem(where, "text must be a non-empty string")
    if not is_str(context):
        problem(where, "context must be a non-empty string")
    elif is_str(text) and " | " not in context and text not in context:
        problem(where, f"text {text!r} not inside its context")
    if obj.get("kind") not in KINDS:
        problem(where, f"kind {obj.get('kind')!r} not in {sorted(KINDS)}")
    if obj.get("qualifier") not in QUALIFIERS:
        problem(where, f"qualifier {obj.get('qualifier')!r} not in {sorted(QUALIFIERS)}")
    v, lo, hi = obj.get("value"), obj.get("low"), obj.get("high")
    for k in ("value", "low", "high"):
        if obj.get(k) is not None and not is_num(obj.get(k)):
            problem(where, f"{k} {obj.get(k)!r} is not a number or null")
    if v is None:
        if not (is_num(lo) and is_num(hi) and lo <= hi):
            problem(where, "a range needs numeric low <= high (or give value)")
    elif lo is not None or hi is not None:
        problem(where, "a single value needs low = high = null")
    if obj.get("kind") == "percent" and obj.get("unit") != "percent":
        problem(where, "kind percent needs unit 'percent'")
    if obj.get("kind") == "share" and not (is_num(v) and 0 < v < 1):
        problem(where, "kind share needs a fraction 0 < value < 1")
    if not is_str(obj.get("unit")):
        problem(where, "unit must be a non-empty string")
    for k in ("object", "place", "time", "source"):
        if not opt_str(obj.get(k)):
            problem(where, f"{k} must be a non-empty string or null")
    if "note" in obj and not is_str(obj["note"]):
        problem(where, "note must be a non-empty string")


def iso(s) -> dt.date | None:
    if not (isinstance(s, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", s)):
        return None
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        return None


def check_event(where: str, obj: dict) -> None:
    sentence = obj.get("sentence")
    if not is_str(sentence):
        problem(where, "sentence must be a non-empty string")
        sentence = ""
    elif sentence != " ".join(sentence.split()):
        problem(where, "sentence has unnormalised whitespace")
    if obj.get("event_type") not in EVENT_TYPES:
        problem(where, f"event_type {obj.get('event_type')!r} not in {sorted(EVENT_TYPES)}")
    if obj.get("granularity") not in GRANULARITIES:
        problem(where, f"granularity {obj.get('granularity')!r} not in {sorted(GRANULARITIES)}")
    if obj.get("date_mod") not in DATE_MODS:
        problem(where, f"date_mod {obj.get('date_mod')!r} not in [null, 'after', 'before']")
    start, end = iso(obj.get("date_start")), iso(obj.get("date_end"))
    if start is None:
        problem(where, f"date_start {obj.get('date_start')!r} is not an ISO date YYYY-MM-DD")
    if end is None:
        problem(where, f"date_end {obj.get('date_end')!r} is not an ISO date YYYY-MM-DD")
    if start and end and start > end:
        problem(where, f"date_start {start} > date_end {end}")
    trigger = obj.get("trigger")
    if not is_str(trigger) or trigger not in sentence:
        problem(where, f"trigger {trigger!r} not inside sentence")
    elif len(trigger.split()) != 1:
        problem(where, f"trigger {trigger!r} is not one word")
    if not is_str(obj.get("date_text")) or obj["date_text"] not in sentence:
        problem(where, f"date_text {obj.get('date_text')!r} not inside sentence")
    loc = obj.get("location")
    if loc is not None and (not is_str(loc) or loc not in sentence):
        problem(where, f"location {loc!r} not inside sentence")
    parts = obj.get("participants")
    if not isinstance(parts, list):
        problem(where, "participants must be a list")
    else:
        for p in parts:
            if not is_str(p) or p not in sentence:
                problem(where, f"participant {p!r} not inside sentence")


def main() -> int:
    if not ROOT.is_dir():
        print(f"{ROOT}: not a folder (give the gold/pdfs folder as the first argument)")
        return 1
    pages = load_pages()
    counts: dict[str, dict[str, int]] = {doc: dict.fromkeys(KINDS_DIRS, 0) for doc in pages}
    for sub in KINDS_DIRS:
        folder = ROOT / sub
        if not folder.is_dir():
            problem(rel(folder), "folder missing")
            continue
        for path in sorted(folder.glob("*")):
            if path.suffix != ".jsonl":
                problem(rel(path), f"unexpected file in {sub}/ (want <doc_id>.jsonl)")
                continue
            doc = path.stem
            if doc not in pages:
                problem(rel(path), f"no pages file pages/{doc}.json")
            allowed, last, seen = pages.get(doc, []), [0], set()
            for n, obj in rows(path):
                where = f"{rel(path)}:{n}"
                counts.setdefault(doc, dict.fromkeys(KINDS_DIRS, 0))[sub] += 1
                if sub == "entities":
                    ok = check_keys(where, obj, ENTITY_KEYS)
                    check_entity(where, obj, seen)
                elif sub == "figures":
                    ok = check_keys(where, obj, FIGURE_KEYS, FIGURE_OPTIONAL)
                    check_figure(where, obj)
                else:
                    ok = check_keys(where, obj, EVENT_KEYS)
                    check_event(where, obj)
                if ok:
                    check_page(where, obj, allowed, last)
    for doc in sorted(pages):
        for sub in KINDS_DIRS:
            if not (ROOT / sub / f"{doc}.jsonl").exists():
                problem(f"pages/{doc}.json", f"{sub}/{doc}.jsonl missing (an empty file means 'none on these pages')")
    for line in problems:
        print(line)
    for doc in sorted(counts):
        c = counts[doc]
        print(f"{doc}: pages {pages.get(doc)}, {c['entities']} entities, {c['figures']} figures, {c['events']} events")
    print(f"{len(problems)} problem(s)" if problems else "OK: no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
