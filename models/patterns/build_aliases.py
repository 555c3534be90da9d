"""Regenerate models/aliases.jsonl from the pattern files.

Run from the repository root:  python models/patterns/build_aliases.py
For every id with more than one pattern, writes one line
{"id", "canonical", "label", "aliases"}. The canonical form is the first
pattern of that id in file order (files sorted by name), so put the full
official name first when you add an entity.
"""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    forms, labels, order = {}, {}, []
    for path in sorted(HERE.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            eid = obj["id"]
            if eid not in forms:
                forms[eid], labels[eid] = [], obj["label"]
                order.append(eid)
            forms[eid].append(obj["pattern"])
    out = HERE.parent / "aliases.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for eid in order:
            if len(forms[eid]) > 1:
                f.write(json.dumps({"id": eid, "canonical": forms[eid][0], "label": labels[eid],
                                    "aliases": forms[eid][1:]}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
