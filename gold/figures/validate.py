"""Validate the figure gold files: python3 validate.py  (run from any directory)."""
import json, re, sys, pathlib
HERE = pathlib.Path(__file__).resolve().parent
CORPUS = pathlib.Path("/work/shared/corpus")
FIELDS = ["text", "value", "low", "high", "kind", "unit", "qualifier", "object", "place", "time", "source"]
KINDS = {"count", "percent", "money", "area", "length", "duration", "share", "other"}
QUALS = {"approx", "gt", "ge", "lt", "le", "eq"}

def clean(raw):
    """Markdown removed, line-break hyphenation joined, whitespace collapsed."""
    t = re.sub(r'<sup>.*?</sup>', '', raw)
    t = re.sub(r'\[([^\]]*)\]\(([^)]*)\)', r'\1', t)
    t = re.sub(r'<(https?://[^>]*)>', r'\1', t)
    t = re.sub(r'^\s*#+\s*', '', t, flags=re.M)
    t = t.replace('**', '').replace('\\$', '$')
    t = re.sub(r'(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])', '', t)
    t = re.sub(r'(\w)-\n\s*(\w)', r'\1\2', t)
    return re.sub(r'\s+', ' ', t).strip()

def check_fig(o, where, errs):
    for k in FIELDS:
        if k not in o: errs.append(f"{where}: missing {k}")
    if o.get("kind") not in KINDS: errs.append(f"{where}: bad kind {o.get('kind')}")
    if o.get("qualifier") not in QUALS: errs.append(f"{where}: bad qualifier {o.get('qualifier')}")
    v, lo, hi = o.get("value"), o.get("low"), o.get("high")
    if v is None:
        if lo is None or hi is None or lo > hi: errs.append(f"{where}: range needs low <= high")
    elif lo is not None or hi is not None: errs.append(f"{where}: single value must have low = high = null")
    if o.get("kind") == "percent" and o.get("unit") != "percent": errs.append(f"{where}: percent unit")
    if o.get("kind") == "share" and not (v is not None and 0 < v < 1): errs.append(f"{where}: share must be a fraction")

errs, counts = [], {}
for p in sorted(HERE.glob("*.jsonl")):
    n = 0
    if p.name == "tricky.jsonl":
        for i, line in enumerate(p.read_text().splitlines(), 1):
            try: o = json.loads(line)
            except Exception as e: errs.append(f"{p.name}:{i}: bad JSON {e}"); continue
            if set(o) != {"sentence", "figures"}: errs.append(f"{p.name}:{i}: keys {set(o)}")
            for j, f in enumerate(o.get("figures", [])):
                check_fig(f, f"{p.name}:{i}.{j}", errs); n += 1
                if "context" in f: errs.append(f"{p.name}:{i}.{j}: tricky figures carry no context")
                if f.get("text") not in o["sentence"]: errs.append(f"{p.name}:{i}.{j}: text {f.get('text')!r} not in sentence")
        counts[p.name] = (i, n)
        continue
    src = CORPUS / (p.stem + ".txt")
    if not src.exists(): errs.append(f"{p.name}: no corpus file {src}"); continue
    doc = clean(src.read_text())
    last = -1
    for i, line in enumerate(p.read_text().splitlines(), 1):
        try: o = json.loads(line)
        except Exception as e: errs.append(f"{p.name}:{i}: bad JSON {e}"); continue
        check_fig(o, f"{p.name}:{i}", errs); n += 1
        if "context" not in o: errs.append(f"{p.name}:{i}: missing context"); continue
        if o["text"] not in doc: errs.append(f"{p.name}:{i}: text {o['text']!r} not in document")
        if " | " in o["context"]:          # table / facts-block cell: "row header | column header"
            continue
        if o["text"] not in o["context"]: errs.append(f"{p.name}:{i}: text not in its context")
        pos = doc.find(o["context"])
        if pos < 0: errs.append(f"{p.name}:{i}: context not found in document: {o['context']!r}")
        elif pos < last: errs.append(f"{p.name}:{i}: out of document order")
        else: last = pos
    counts[p.name] = n
for k, v in counts.items(): print(f"{k}: {v}")
print("\n".join(errs) if errs else "OK: no errors")
sys.exit(1 if errs else 0)
