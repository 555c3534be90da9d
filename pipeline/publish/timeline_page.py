"""``outputs/timeline.html``: the corpus timeline as a researcher reads it, in one self-contained page.

Each event row shows its date in words (:func:`~pipeline.publish.humandate.human_date`) with the dates as the
papers wrote them, its type, label, places and participants, and each mention names its paper (author(s),
year, title from ``documents``) and opens its sentence in context from the canonical text. The header counts
the events the type and place filters leave ("2 of 62 events"), and "Download CSV" saves exactly those rows
(:data:`EXPORT_COLUMNS`), built in the browser from the rows the page holds.

The place filter lists places only: a row's places are the GPE or LOC entity mentions of its sentences that
its mentions' ``location`` spells ("France, Italy" → France and Italy; never "Kazakhs", a NORP).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pandas as pd

from pipeline.core import names
from pipeline.core.schema import spreadsheet_safe
from pipeline.publish.humandate import human_date

CONTEXT_CHARS = 300
PLACE_LABELS = (names.GPE, names.LOC)
MAX_AUTHORS = 3  # more are written "First et al."
NO_YEAR = "n.d."
LIST_SEP = "; "  # between the items of a list cell of the exported CSV
EXPORT_NAME = "timeline_view.csv"
#: The columns of the CSV that "Download CSV" saves: one row per event shown (lists joined by ``LIST_SEP``).
EXPORT_COLUMNS = [
    "timeline_id",
    "date",
    "date_start",
    "date_end",
    "granularity",
    "dates_as_written",
    "event_type",
    "label",
    "places",
    "participants",
    "papers",
    "mention_ids",
]


def _text(value: Any) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def _list(value: Any) -> list[str]:
    return [] if value is None or isinstance(value, (str, float)) else [str(v) for v in value]


def paper_label(doc: dict[str, Any]) -> str:
    """How the page names a paper: "Author(s) (year). Title.", from its ``documents`` row.

    Up to :data:`MAX_AUTHORS` authors are listed as the metadata gives them, more as "First et al.";
    the year is ``year``, else the year of ``date``, else "n.d."; without a title the source file names it.

    >>> paper_label({"authors": ["Ipek, N.", "Aktash, M."], "year": 2019, "title": "Kazakhs abroad"})
    'Ipek, N. and Aktash, M. (2019). Kazakhs abroad'
    >>> paper_label({"authors": [], "year": None, "date": None, "title": "Diaspora engagement mapping"})
    'Diaspora engagement mapping (n.d.)'
    """
    authors = _list(doc.get("authors"))
    if len(authors) > MAX_AUTHORS:
        who = f"{authors[0]} et al."
    else:
        who = " and ".join([", ".join(authors[:-1]), authors[-1]] if len(authors) > 1 else authors)
    year = doc.get("year")
    year = str(int(year)) if isinstance(year, (int, float)) and not pd.isna(year) else _text(year)
    year = year or _text(doc.get("date"))[:4] or NO_YEAR
    title = _text(doc.get("title")).strip() or _text(doc.get("source")) or _text(doc.get("doc_id"))
    return f"{who} ({year}). {title}" if who else f"{title} ({year})"


def event_places(event: dict[str, Any], entities: pd.DataFrame) -> list[str]:
    """The places of one event mention: the GPE/LOC entity mentions inside the event's span that its ``location``
    spells, longest first ("France, Italy" → France, Italy; "Bosnia and Herzegovina" stays one; "Western
    Europe" is not also "Europe"), in the order written."""
    if entities.empty:
        return []
    return _places_in(event, _place_spans(entities[entities["doc_id"] == event["doc_id"]]))


def _place_spans(entities: pd.DataFrame) -> list[tuple[int, int, str]]:
    """``(start, end, text)`` of the place mentions (GPE/LOC) of ``entities``."""
    places = entities[entities["label"].isin(PLACE_LABELS)]
    return list(zip(places["start"].astype(int), places["end"].astype(int), places["text"].astype(str)))


def _places_in(event: dict[str, Any], spans: list[tuple[int, int, str]]) -> list[str]:
    """:func:`event_places` among ``spans``, the place mentions of the event's paper."""
    location = _text(event.get("location")).strip()
    if not location:
        return []
    start, end = int(event["start"]), int(event["end"])
    spelled = sorted({t for s, e, t in spans if s >= start and e <= end and t.strip()}, key=lambda t: (-len(t), t))
    if not spelled:
        return []
    spelled_re = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in spelled) + r")(?!\w)")
    return list(dict.fromkeys(m.group(0) for m in spelled_re.finditer(location)))


def _row_data(row: dict[str, Any], mentions: list[dict[str, Any]], papers: dict[str, str]) -> dict[str, Any]:
    mods = {_text(m.get("date_mod")) for m in mentions}
    date_mod = mods.pop() if len(mods) == 1 else None
    written = list(dict.fromkeys(_text(m.get("date_text")) for m in mentions if _text(m.get("date_text"))))
    return {
        "timeline_id": row["timeline_id"],
        "date": human_date(row["date_start"], row["date_end"], row["granularity"], date_mod or None),
        "date_start": row["date_start"],
        "date_end": row["date_end"],
        "granularity": row["granularity"],
        "dates_as_written": written,
        "event_type": row["event_type"],
        "label": row["label"],
        "participants": _list(row["participants"]),
        "papers": [papers.get(d, d) for d in dict.fromkeys(str(m["doc_id"]) for m in mentions)],
        "mention_ids": [str(m["event_id"]) for m in mentions],
    }


def _export_row(data: dict[str, Any]) -> list[str]:
    cells = [LIST_SEP.join(v) if isinstance(v, list) else str(v) for v in (data[c] for c in EXPORT_COLUMNS)]
    return [spreadsheet_safe(c) for c in cells]


def _mention_html(m: dict[str, Any], paper: str, text: str) -> str:
    s, e = int(m["start"]), int(m["end"])
    before, after = text[max(0, s - CONTEXT_CHARS) : s], text[e : e + CONTEXT_CHARS]
    written = _text(m.get("date_text"))
    return (
        f'<details class="m"><summary><span class="paper">{html.escape(paper)}</span>: '
        f"“{html.escape(written)}” — {html.escape(_text(m['trigger']))}</summary>"
        f'<div class="ctx">…{html.escape(before)}<mark>{html.escape(text[s:e])}</mark>{html.escape(after)}…</div>'
        "</details>"
    )


def _row_html(i: int, data: dict[str, Any], mentions_html: str) -> str:
    places = json.dumps(data["places"], ensure_ascii=False)
    written = "; ".join(f"“{w}”" for w in data["dates_as_written"])
    written = f'<div class="written">as written: {html.escape(written)}</div>' if written else ""
    parts = (
        f' <span class="who">· {html.escape(", ".join(data["participants"]))}</span>' if data["participants"] else ""
    )
    return (
        f'<div class="ev" data-i="{i}" data-id="{html.escape(data["timeline_id"])}" data-type="{html.escape(data["event_type"])}" '
        f'data-places="{html.escape(places)}" data-start="{data["date_start"]}" data-end="{data["date_end"]}">'
        f'<span class="date">{html.escape(data["date"])}</span> '
        f'<span class="type">{html.escape(data["event_type"])}</span> '
        f'<span class="label">{html.escape(data["label"])}</span>{parts}'
        f"{written}{mentions_html}</div>"
    )


_CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#fafafa;color:#222}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:8px 16px}
main{padding:8px 16px}.ev{background:#fff;border:1px solid #e3e3e3;border-radius:6px;margin:6px 0;padding:6px 10px}
.date{font-weight:600;min-width:12em;display:inline-block}.type{font-size:12px;padding:1px 6px;border-radius:8px;background:#e8eefc}
.written{font-size:12px;color:#666}.paper{font-style:italic}
.m{margin:4px 0 0 1em;font-size:13px}.m summary{cursor:pointer;color:#235}.ctx{white-space:pre-wrap;color:#555}
mark{background:#ffe58a}"""
_JS = """var ROWS=JSON.parse(document.getElementById('rows').textContent);
function shown(){return Array.prototype.filter.call(document.querySelectorAll('.ev'),function(e){return e.style.display!='none'})}
function f(){var t=document.getElementById('t').value,p=document.getElementById('p').value,all=document.querySelectorAll('.ev');
all.forEach(function(e){e.style.display=(!t||e.dataset.type==t)&&(!p||JSON.parse(e.dataset.places).indexOf(p)>=0)?'':'none'});
document.getElementById('count').textContent=shown().length+' of '+all.length+' events'}
function q(c){return '"'+c.replace(/"/g,'""')+'"'}
function csv(){var lines=[ROWS.columns.map(q).join(',')];
shown().forEach(function(e){lines.push(ROWS.rows[+e.dataset.i].map(q).join(','))});
var a=document.createElement('a');a.href=URL.createObjectURL(new Blob([lines.join('\\n')+'\\n'],{type:'text/csv;charset=utf-8'}));
a.download=ROWS.name;document.body.appendChild(a);a.click();a.remove()}
f()"""  # the filters a reloaded page keeps


def _options(values: list[str]) -> str:
    return "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in sorted(set(values)) if v)


def render_html(
    timeline: pd.DataFrame,
    events: pd.DataFrame,
    texts: dict[str, str],
    documents: pd.DataFrame | None = None,
    entities: pd.DataFrame | None = None,
) -> str:
    """A self-contained page listing ``timeline`` by date (see the module docstring).

    ``documents`` names the papers (else their doc_id names them) and ``entities`` gives the places (else none).
    """
    by_id = {str(r["event_id"]): r for r in events.to_dict("records")}
    papers = {str(d["doc_id"]): paper_label(d) for d in documents.to_dict("records")} if documents is not None else {}
    entities = entities if entities is not None else pd.DataFrame()
    # each event looks for its places among its own paper's place mentions, never the whole corpus's
    places_of: dict[str, list[tuple[int, int, str]]] = {}
    if not entities.empty:
        places = entities[entities["label"].isin(PLACE_LABELS)]
        for d, span in zip(places["doc_id"].astype(str), _place_spans(places)):
            places_of.setdefault(d, []).append(span)
    items, rows, all_places = [], [], []
    for i, r in enumerate(timeline.sort_values(["date_start", "date_end", "timeline_id"]).to_dict("records")):
        mentions = [by_id[str(m)] for m in r["mention_ids"] if str(m) in by_id]
        data = _row_data(r, mentions, papers)
        data["places"] = list(
            dict.fromkeys(p for m in mentions for p in _places_in(m, places_of.get(str(m["doc_id"]), [])))
        )
        all_places += data["places"]
        mentions_html = "".join(
            _mention_html(m, papers.get(str(m["doc_id"]), str(m["doc_id"])), texts.get(str(m["doc_id"]), ""))
            for m in mentions
        )
        items.append(_row_html(i, data, mentions_html))
        rows.append(_export_row(data))
    payload = json.dumps({"name": EXPORT_NAME, "columns": EXPORT_COLUMNS, "rows": rows}, ensure_ascii=False)
    payload = payload.replace("</", "<\\/")  # no "</script>" inside the script element (still the same JSON)
    n = len(timeline)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Corpus timeline</title>'
        f'<style>{_CSS}</style></head><body><header><b>Corpus timeline</b> <span id="count">{n} of {n} events</span> '
        f'<select id="t" onchange="f()"><option value="">all types</option>{_options(list(timeline["event_type"]))}'
        f'</select> <select id="p" onchange="f()"><option value="">all places</option>{_options(all_places)}</select> '
        f'<button id="csv" onclick="csv()">Download CSV</button></header><main>{"".join(items)}</main>'
        f'<script type="application/json" id="rows">{payload}</script>'
        f"<script>{_JS}</script></body></html>"
    )
