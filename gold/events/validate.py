#!/usr/bin/env python3
"""Validate gold/events/*.jsonl and gold/timex/tricky.jsonl.

Checks: valid JSON, required keys, allowed values, ISO dates with start <= end,
date_text / trigger / participants / location occur in `sentence`, and every
event `sentence` occurs in the cleaned source document (markdown removed,
line-break hyphenation joined, whitespace collapsed), in document order.

Usage: python3 gold/events/validate.py [corpus_dir]
Exit status 1 if any problem is found.
"""
import datetime as dt
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
GOLD = HERE.parent
CORPUS = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path("/work/shared/corpus")

EVENT_TYPES = {"congress", "law", "founding", "agreement", "protest", "migration",
               "election", "conflict", "other"}
GRANULARITIES = {"day", "month", "year", "decade", "century"}
MODS = {None, "before", "after"}
EVENT_KEYS = ["sentence", "trigger", "event_type", "date_text", "date_start", "date_end",
              "granularity", "date_mod", "location", "participants"]
TIMEX_KEYS = ["sentence", "date_text", "date_start", "date_end", "granularity", "date_mod"]


def clean(text: str) -> str:
    """Markdown -> prose, the same normalisation the gold sentences follow."""
    t = text
    t = re.sub(r"<sup>(.*?)</sup>", r"\1", t, flags=re.S)           # footnote markers
    t = re.sub(r"!?\[([^\]]*)\]\([^)\s]*\)", r"\1", t)               # [text](url) -> text
    t = re.sub(r"<(https?://[^>\s]+)>", r"\1", t)                     # <url> -> url
    t = t.replace("\\_", "_")
    t = re.sub(r"^\s*#+\s*", "", t, flags=re.M)                       # headings
    t = re.sub(r"^\s*---+\s*$", "", t, flags=re.M)                    # rules
    t = t.replace("**", "").replace("*", "")                          # bold / italics
    t = re.sub(r"(?<=[^\W\d_])-[ \t]*\n\s*(?=[^\W\d_])", "", t)       # hyphenation at line end
    t = re.sub(r"\s+", " ", t)
    return t.strip()


def iso(s):
    return dt.date.fromisoformat(s)


def check_dates(rec, where, problems):
    try:
        a, b = iso(rec["date_start"]), iso(rec["date_end"])
        if len(rec["date_start"]) != 10 or len(rec["date_end"]) != 10:
            raise ValueError("not YYYY-MM-DD")
        if a > b:
            problems.append(f"{where}: date_start > date_end")
    except Exception as e:  # noqa: BLE001
        problems.append(f"{where}: bad ISO date ({e})")
    if rec["granularity"] not in GRANULARITIES:
        problems.append(f"{where}: bad granularity {rec['granularity']!r}")
    if rec["date_mod"] not in MODS:
        problems.append(f"{where}: bad date_mod {rec['date_mod']!r}")


def load(path, problems):
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            problems.append(f"{path.name}:{n}: blank line")
            continue
        try:
            rows.append((n, json.loads(line)))
        except json.JSONDecodeError as e:
            problems.append(f"{path.name}:{n}: invalid JSON ({e})")
    return rows


def validate_events(problems):
    counts = {}
    for path in sorted((GOLD / "events").glob("*.jsonl")):
        src = CORPUS / (path.stem + ".txt")
        doc = clean(src.read_text(encoding="utf-8")) if src.exists() else None
        if doc is None:
            problems.append(f"{path.name}: source document {src} not found")
        rows = load(path, problems)
        counts[path.name] = len(rows)
        last_pos = -1
        for n, r in rows:
            w = f"{path.name}:{n}"
            missing = [k for k in EVENT_KEYS if k not in r]
            extra = [k for k in r if k not in EVENT_KEYS]
            if missing or extra:
                problems.append(f"{w}: missing keys {missing} extra keys {extra}")
                continue
            s = r["sentence"]
            if r["event_type"] not in EVENT_TYPES:
                problems.append(f"{w}: bad event_type {r['event_type']!r}")
            check_dates(r, w, problems)
            for k in ("trigger", "date_text"):
                if not isinstance(r[k], str) or not r[k] or r[k] not in s:
                    problems.append(f"{w}: {k} {r[k]!r} not in sentence")
            if r["trigger"] and " " in r["trigger"]:
                problems.append(f"{w}: trigger is not a single word")
            if r["location"] is not None and r["location"] not in s:
                problems.append(f"{w}: location {r['location']!r} not in sentence")
            if not isinstance(r["participants"], list):
                problems.append(f"{w}: participants must be a list")
            else:
                for p in r["participants"]:
                    if p not in s:
                        problems.append(f"{w}: participant {p!r} not in sentence")
            if doc is not None:
                pos = doc.find(s)
                if pos < 0:
                    problems.append(f"{w}: SENTENCE NOT IN DOCUMENT: {s[:90]!r}")
                else:
                    if pos < last_pos:
                        problems.append(f"{w}: not in document order")
                    last_pos = pos
    return counts


def validate_timex(problems):
    path = GOLD / "timex" / "tricky.jsonl"
    rows = load(path, problems)
    neg = 0
    for n, r in rows:
        w = f"{path.name}:{n}"
        missing = [k for k in TIMEX_KEYS if k not in r]
        extra = [k for k in r if k not in TIMEX_KEYS + ["note"]]
        if missing or extra:
            problems.append(f"{w}: missing keys {missing} extra keys {extra}")
            continue
        if r["date_text"] is None:
            neg += 1
            if any(r[k] is not None for k in ("date_start", "date_end", "granularity", "date_mod")):
                problems.append(f"{w}: negative case must have all date fields null")
            continue
        if r["date_text"] not in r["sentence"]:
            problems.append(f"{w}: date_text {r['date_text']!r} not in sentence")
        check_dates(r, w, problems)
    # the tricky set must not copy corpus sentences
    corpus = " ".join(clean(p.read_text(encoding="utf-8")) for p in CORPUS.glob("*.txt"))
    for n, r in rows:
        for part in re.split(r"(?<=[.!?])\s+", r["sentence"]):
            if len(part) > 40 and part in corpus:
                problems.append(f"{path.name}:{n}: sentence copied from corpus: {part[:60]!r}")
    return len(rows), neg


def main():
    problems = []
    counts = validate_events(problems)
    n_timex, n_neg = validate_timex(problems)
    for k, v in counts.items():
        print(f"events/{k}: {v} events")
    print(f"timex/tricky.jsonl: {n_timex} lines ({n_neg} negative)")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  -", p)
        sys.exit(1)
    print("OK: no problems")


if __name__ == "__main__":
    main()
