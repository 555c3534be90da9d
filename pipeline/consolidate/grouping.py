"""Group mentions into corpus entities: one ``entity_id`` per real-world entity and label.

A mention's group key is, in order: its gazetteer id; the alias table ``models/aliases.jsonl``;
an abbreviation the text defines ("Federation of European Kazakh Associations (FEKA)" makes FEKA
an alias of the long form); else its normalized text (case, quotes, articles, possessive and
transliteration variants folded). Groups whose names are near-duplicates that no key unites
("World Association of Kazakhs" / "World Kazakh Association") are then joined by embedding
similarity with a lexical guard (:mod:`.similarity`, threshold ``consolidate.similarity_threshold``).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

_ABBREV = re.compile(
    r"((?:[A-Z][\w’'\-]*(?:\s(?:of|for|and|the|on|in|de)\s|\s)){1,10}[A-Z][\w’'\-]*)\s\(([A-Z][A-Za-z.\-]{1,10})\)"
)
_FOLD = str.maketrans({"q": "k", "w": "v", "’": "'", "“": '"', "”": '"'})


def normalize(text: str) -> str:
    """Fold case, accents, quotes, a leading article and a possessive: the default group key."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower().translate(_FOLD)
    t = re.sub(r"^the\s+", "", t)
    t = re.sub(r"'s$", "", t)
    t = re.sub(r"[^\w]+", " ", t).strip()
    t = re.sub(r"(?<=\w)(ay|ai)\b", "ai", t)  # kurultay / kurultai
    return t


def load_aliases(path: Path) -> dict[tuple[str, str], str]:
    """``{(label, normalized alias): id}`` from an alias table; missing file → empty."""
    out: dict[tuple[str, str], str] = {}
    if not Path(path).exists():
        return out
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            a = json.loads(line)
            for form in [a["canonical"], *a.get("aliases", [])]:
                out[(a["label"], normalize(form))] = a["id"]
    return out


def abbreviations(text: str) -> dict[str, str]:
    """``{ABBR: long form}`` for abbreviations defined in parentheses whose initials fit the long form."""
    out: dict[str, str] = {}
    for m in _ABBREV.finditer(text):
        long, abbr = m.group(1), m.group(2)
        words = [w for w in re.split(r"[\s\-]+", long) if w and w[0].isupper()]
        letters = abbr.replace(".", "").upper()
        for k in range(len(words), 0, -1):
            if "".join(w[0] for w in words[-k:]).upper() == letters:
                out[abbr] = " ".join(long.split()[-len(" ".join(words[-k:]).split()) :]) if k < len(words) else long
                break
    return out


def entity_id(label: str, key: str) -> str:
    return "E" + hashlib.sha1(f"{label}|{key}".encode()).hexdigest()[:12]


def group_key(label: str, text: str, gazetteer_key: str, aliases: dict, abbrevs: dict[str, str]) -> str:
    if gazetteer_key:
        return "id:" + gazetteer_key
    if text in abbrevs:
        text = abbrevs[text]
    norm = normalize(text)
    if (label, norm) in aliases:
        return "id:" + aliases[(label, norm)]
    return "t:" + norm


def canonical_name(forms: Counter) -> str:
    """The most frequent surface form; ties to the longer, then alphabetical."""
    return sorted(forms.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]
