"""Validate the gazetteer pattern files and the alias table.

Run from the repository root:  python models/patterns/validate_patterns.py
Checks: valid JSON, required keys, labels in the eight, id format, no duplicate
(label, pattern), no pattern under two labels, one label per id, no leading
"the", aliases.jsonl consistent with the patterns, and (when spaCy is
installed) that every file loads into a blank English SpanRuler and that each
pattern matches its own text.
"""
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ALIASES = HERE.parent / "aliases.jsonl"
LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "LAW", "EVENT", "FAC"}
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FORBIDDEN = {"Foundation", "Association", "Ministry", "Law", "State", "Government", "Assembly", "Program",
             "Programme", "Plan", "Concept", "Committee", "Council", "Agency", "University", "Party", "Congress",
             "Republic", "Union", "Region", "Oblast", "President"}


def main() -> int:
    errors = []
    id_label = {}
    pair_seen = {}
    pattern_label = {}
    by_id = {}
    per_file = {}
    for path in sorted(HERE.glob("*.jsonl")):
        pats = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.name}:{n}"
            if not line.strip():
                errors.append(f"{where}: empty line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: bad JSON ({exc})")
                continue
            if set(obj) != {"label", "pattern", "id"}:
                errors.append(f"{where}: keys must be label, pattern, id: {sorted(obj)}")
                continue
            label, pat, eid = obj["label"], obj["pattern"], obj["id"]
            if label not in LABELS:
                errors.append(f"{where}: label {label!r} not in the eight")
            if not isinstance(pat, str) or not pat.strip() or pat != pat.strip():
                errors.append(f"{where}: pattern must be a non-empty trimmed string: {pat!r}")
                continue
            if not ID_RE.match(eid):
                errors.append(f"{where}: id {eid!r} is not lowercase-hyphenated ASCII")
            if pat.split()[0].lower() == "the":
                errors.append(f"{where}: leading 'the' in {pat!r}")
            if pat in FORBIDDEN or pat.lower() in {w.lower() for w in FORBIDDEN}:
                errors.append(f"{where}: generic word {pat!r}")
            if (label, pat) in pair_seen:
                errors.append(f"{where}: duplicate ({label}, {pat!r}), first at {pair_seen[(label, pat)]}")
            pair_seen[(label, pat)] = where
            if pat in pattern_label and pattern_label[pat] != label:
                errors.append(f"{where}: {pat!r} is {label} here and {pattern_label[pat]} elsewhere")
            pattern_label.setdefault(pat, label)
            if eid in id_label and id_label[eid] != label:
                errors.append(f"{where}: id {eid!r} has labels {id_label[eid]} and {label}")
            id_label.setdefault(eid, label)
            by_id.setdefault(eid, []).append(pat)
            pats.append(obj)
        per_file[path.name] = pats

    # aliases.jsonl must describe exactly the ids that have more than one pattern
    if ALIASES.exists():
        alias_ids = set()
        for n, line in enumerate(ALIASES.read_text(encoding="utf-8").splitlines(), 1):
            where = f"aliases.jsonl:{n}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: bad JSON ({exc})")
                continue
            eid = obj.get("id")
            alias_ids.add(eid)
            if eid not in by_id:
                errors.append(f"{where}: id {eid!r} has no pattern")
                continue
            if obj.get("label") != id_label[eid]:
                errors.append(f"{where}: label {obj.get('label')} != {id_label[eid]}")
            forms = [obj.get("canonical")] + list(obj.get("aliases", []))
            if sorted(forms) != sorted(by_id[eid]):
                errors.append(f"{where}: forms differ from the patterns of {eid!r}")
        for eid, forms in by_id.items():
            if len(forms) > 1 and eid not in alias_ids:
                errors.append(f"aliases.jsonl: id {eid!r} has variants but no line")
    else:
        errors.append("aliases.jsonl missing")

    # spaCy load check
    try:
        import spacy
    except ImportError:
        print("spaCy not installed: load check skipped")
    else:
        for name, pats in per_file.items():
            nlp = spacy.blank("en")
            ruler = nlp.add_pipe("span_ruler")
            ruler.add_patterns(pats)
            for obj in pats:
                doc = nlp(f"In {obj['pattern']} today.")
                hits = {(s.text, s.label_) for s in doc.spans["ruler"]}
                if (obj["pattern"], obj["label"]) not in hits:
                    errors.append(f"{name}: {obj['pattern']!r} does not match itself in context")
    for name, pats in per_file.items():
        print(f"{name}: {len(pats)} patterns, {len({p['id'] for p in pats})} ids")
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
