"""``pipeline review serve``: a built-in review page on 127.0.0.1 (stdlib ``http.server``, no downloads).

The page shows one document of a published dataset (``outputs/``) at a time: its canonical text
with the extractions coloured (entities by label, figures boxed, events underlined) and a list of
them. On the selected extraction: ``a`` accept, ``r`` reject, ``l`` relabel (a select), ``j``/``k``
next/previous; a small form edits a figure's or an event's normalized fields. For a PDF document the
selected extraction's page is shown as an image (``/api/page``, rendered by :mod:`.pages` from
``raw/<documents.source>``) with the extraction's box drawn on it; text documents have no image.

Every action is POSTed as JSON; the server looks the row up in the published tables, builds a
:class:`~.decisions.Decision` with the full anchor (id + document sha256 + quote + prefix/suffix +
start/end in code points, :meth:`~.decisions.Anchor.of`, as the CSV import does) and appends it to
``reviews/<author>/<session>.jsonl`` (:func:`~.decisions.append_decisions`): one file per server run.

Security: the server binds 127.0.0.1 only and every request must carry the random ``token``
printed with the URL (``/?token=…``), else 403. The page is self-contained (no external URLs; a
Content-Security-Policy forbids them).
"""

from __future__ import annotations

import getpass
import hmac
import json
import math
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from pipeline.annotations.decisions import (
    ACCEPT,
    EDIT,
    EDITABLE,
    ID_COLUMN,
    NUMERIC_FIELDS,
    REJECT,
    RELABEL,
    SPAN_TABLES,
    Anchor,
    Decision,
    append_decisions,
    now,
    session_file,
)
from pipeline.core import names
from pipeline.review.pages import PageImages

HOST = "127.0.0.1"
MAX_BODY = 64 * 1024
SERVE_ACTIONS: tuple[str, ...] = (ACCEPT, REJECT, RELABEL, EDIT)
#: The column a relabel changes, and its vocabulary, per table.
LABEL_COLUMN = {names.T_ENTITIES: "label", names.T_FIGURES: "kind", names.T_EVENTS: "event_type"}
LABELS = {names.T_ENTITIES: names.ENTITY_LABELS, names.T_FIGURES: names.FIGURE_KINDS, names.T_EVENTS: names.EVENT_TYPES}
#: The fields the page's form edits, per table.
BOX_COLUMNS = ("page", "x0", "top", "x1", "bottom")
FORM_FIELDS = {
    names.T_ENTITIES: (),
    names.T_FIGURES: ("value", "low", "high", "unit", "object", "place", "time"),
    names.T_EVENTS: ("date_start", "date_end", "event_type", "location"),
}


def _plain(v: Any) -> Any:
    """A JSON-safe scalar (``pd.NA``/NaN → None, numpy scalars → Python)."""
    if v is None or v is pd.NA:
        return None
    if hasattr(v, "item") and not isinstance(v, (list, tuple)):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


class ReviewSession:
    """The published dataset, the author's session file, and the decisions made in this run."""

    def __init__(
        self, outputs: Path, reviews: Path, author: str, created: str | None = None, raw: Path = Path("raw")
    ) -> None:
        """``raw``: the folder the documents were read from (``documents.source`` is relative to it),
        where the source PDFs are found for page images."""
        from pipeline.core.io import load_dataset, load_text

        self.outputs, self.author = Path(outputs), author
        self.tables = load_dataset(self.outputs)
        self._load_text = load_text
        docs = self.tables.get(names.T_DOCUMENTS)
        self.docs: list[dict[str, Any]] = []
        self.sha: dict[str, str | None] = {}
        pdfs: dict[str, tuple[Path, str | None]] = {}
        if docs is not None:
            for r in docs.to_dict("records"):
                if (self.outputs / "texts" / f"{r['doc_id']}.txt").exists():
                    self.sha[r["doc_id"]] = _plain(r.get("sha256"))
                    self.docs.append({"doc_id": r["doc_id"], "title": _plain(r.get("title"))})
                    if _plain(r.get("format")) == "pdf" and _plain(r.get("source")):
                        pdfs[r["doc_id"]] = (Path(raw) / r["source"], self.sha[r["doc_id"]])
        self.pages = PageImages(pdfs)
        self._pdf_docs = set(pdfs)
        self.path = session_file(Path(reviews), author, created or now())
        self.done: dict[str, str] = {}  # "table:id" → the last action taken in this run
        self._lock = threading.Lock()
        self._texts: dict[str, str] = {}

    def text(self, doc_id: str) -> str:
        if doc_id not in self.sha:
            raise KeyError(f"unknown document {doc_id!r}")
        if doc_id not in self._texts:
            self._texts[doc_id] = self._load_text(self.outputs, doc_id)
        return self._texts[doc_id]

    def _row(self, table: str, row_id: str) -> dict[str, Any]:
        df = self.tables.get(table)
        hit = df[df[ID_COLUMN[table]] == row_id] if df is not None else None
        if hit is None or not len(hit):
            raise KeyError(f"no {table} row {row_id!r}")
        return hit.iloc[0].to_dict()

    def document(self, doc_id: str) -> dict[str, Any]:
        """The text and the extractions of one document (offsets in code points)."""
        text = self.text(doc_id)
        items = []
        for table in SPAN_TABLES:
            df = self.tables.get(table)
            if df is None or not len(df):
                continue
            for r in df[df["doc_id"] == doc_id].to_dict("records"):
                rid = r[ID_COLUMN[table]]
                s, e = int(r["start"]), int(r["end"])
                box = {k: _plain(r.get(k)) for k in BOX_COLUMNS}
                items.append(
                    {
                        "table": table,
                        "id": rid,
                        "start": s,
                        "end": e,
                        "quote": text[s:e],
                        "box": box if None not in box.values() else None,
                        "label": _plain(r.get(LABEL_COLUMN[table])),
                        "fields": {f: _plain(r.get(f)) for f in FORM_FIELDS[table]},
                        "status": _plain(r.get("review_status")) or names.UNREVIEWED,
                        "done": self.done.get(f"{table}:{rid}"),
                    }
                )
        items.sort(key=lambda i: (i["start"], -i["end"], i["table"], i["id"]))
        pdf = doc_id in self._pdf_docs
        return {
            "doc_id": doc_id,
            "text": text,
            "items": items,
            "labels": {t: list(v) for t, v in LABELS.items()},
            "form_fields": {t: list(v) for t, v in FORM_FIELDS.items()},
            "pdf": pdf,
            "pages": self.pages.sizes(doc_id) if pdf else [],
            "page_problem": (self.pages.problem(doc_id) or None) if pdf else None,
        }

    def page_png(self, doc_id: str, page: str) -> bytes:
        """The PNG of page ``page`` (1-based) of a PDF document (KeyError if there is none)."""
        self.text(doc_id)  # unknown documents: KeyError
        try:
            n = int(page)
        except ValueError:
            raise KeyError(f"page must be a number, not {page!r}") from None
        return self.pages.png(doc_id, n)

    def decide(self, body: dict[str, Any]) -> Decision:
        """Build the decision a page action asks for and append it to the session file."""
        action, table, row_id = body.get("action"), body.get("table"), body.get("id")
        if action not in SERVE_ACTIONS:
            raise ValueError(f"action must be one of {', '.join(SERVE_ACTIONS)}")
        if table not in SPAN_TABLES:
            raise ValueError(f"table must be one of {', '.join(SPAN_TABLES)}")
        row = self._row(table, str(row_id))
        doc_id = row["doc_id"]
        text = self.text(doc_id)
        target = Anchor.of(text, doc_id, int(row["start"]), int(row["end"]), self.sha.get(doc_id))
        seen = {k: _plain(row.get(k)) for k in EDITABLE[table] if _plain(row.get(k)) is not None}
        if table == names.T_ENTITIES and _plain(row.get("label")):
            seen["label"] = row["label"]
        kw: dict[str, Any] = {}
        if action == RELABEL:
            label = body.get("label")
            if label not in LABELS[table]:
                raise ValueError(f"label must be one of {', '.join(LABELS[table])}")
            kw["label"] = label
        elif action == EDIT:
            fields = body.get("fields") or {}
            if not isinstance(fields, dict) or not fields:
                raise ValueError("an edit needs fields")
            clean: dict[str, Any] = {}
            for k, v in fields.items():
                if k not in EDITABLE[table]:
                    raise ValueError(f"field {k!r} is not editable in {table}")
                v = None if v is None or str(v).strip() == "" else str(v).strip()
                if v is not None and k in NUMERIC_FIELDS:
                    try:
                        v = float(v.replace(",", ""))
                    except ValueError:
                        raise ValueError(f"{k}: {v!r} is not a number") from None
                clean[k] = v
            kw["fields"] = clean
        note = body.get("note")
        d = Decision(
            action,
            table,
            self.author,
            now(),
            target_id=row[ID_COLUMN[table]],
            target=target,
            seen=seen,
            note=str(note) if note else None,
            **kw,
        )
        with self._lock:
            append_decisions(self.path, [d])
            self.done[f"{table}:{d.target_id}"] = action
        return d


class _Handler(BaseHTTPRequestHandler):
    server_version = "pipeline-review"
    session: ReviewSession
    token: str

    def log_message(self, fmt: str, *args: Any) -> None:  # quiet: the URL carries the token
        pass

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; "
            "style-src 'unsafe-inline'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'",
        )
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _authorized(self) -> tuple[str, dict[str, list[str]]] | None:
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        given = (q.get("token") or [""])[0]
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden: token missing or wrong\n", "text/plain; charset=utf-8")
            return None
        return url.path, q

    def do_GET(self) -> None:
        auth = self._authorized()
        if auth is None:
            return
        path, q = auth
        try:
            if path == "/":
                self._send(200, PAGE.encode(), "text/html; charset=utf-8")
            elif path == "/api/docs":
                self._json(
                    200, {"author": self.session.author, "file": str(self.session.path), "docs": self.session.docs}
                )
            elif path == "/api/doc":
                self._json(200, self.session.document((q.get("doc_id") or [""])[0]))
            elif path == "/api/page":
                self._send(
                    200, self.session.page_png((q.get("doc_id") or [""])[0], (q.get("page") or [""])[0]), "image/png"
                )
            else:
                self._json(404, {"error": "not found"})
        except KeyError as e:
            self._json(404, {"error": str(e)})
        except Exception as e:  # a page pdfium cannot render: say so, keep serving
            self._json(500, {"error": f"{type(e).__name__}: {e}"})

    def do_POST(self) -> None:
        auth = self._authorized()
        if auth is None:
            return
        path, _ = auth
        if path != "/api/decide":
            return self._json(404, {"error": "not found"})
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            return self._json(415, {"error": "JSON only"})
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            return self._json(413, {"error": "too large"})
        try:
            body = json.loads(self.rfile.read(n) or b"{}")
            if not isinstance(body, dict):
                raise ValueError("a JSON object is expected")
            d = self.session.decide(body)
        except (ValueError, KeyError) as e:
            return self._json(400, {"error": str(e)})
        self._json(200, {"ok": True, "decision_id": d.decision_id, "action": d.action, "target_id": d.target_id})


def make_server(session: ReviewSession, port: int = 0, token: str | None = None) -> tuple[ThreadingHTTPServer, str]:
    """A server on 127.0.0.1:``port`` (0: any free port) and its URL with the token."""
    token = token or secrets.token_urlsafe(24)
    handler = type("Handler", (_Handler,), {"session": session, "token": token})
    httpd = ThreadingHTTPServer((HOST, port), handler)
    httpd.daemon_threads = True
    return httpd, f"http://{HOST}:{httpd.server_address[1]}/?token={token}"


def serve(outputs: Path, reviews: Path, author: str | None = None, port: int = 0, raw: Path = Path("raw")) -> int:
    """Run the review page until Ctrl-C (``raw``: where the source PDFs are, for page images)."""
    session = ReviewSession(outputs, reviews, author or getpass.getuser(), raw=raw)
    httpd, url = make_server(session, port)
    print(f"review serve: {len(session.docs)} documents from {outputs}; decisions by {session.author} → {session.path}")
    print(f"open {url}   (Ctrl-C to stop)", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


PAGE = r"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Review</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:0;display:flex;height:100vh}
#main{flex:3;overflow:auto;padding:1em 2em}#side{flex:2;overflow:auto;border-left:1px solid #ccc;padding:1em}
#text{white-space:pre-wrap;font-family:Georgia,serif;font-size:15px}
.x{cursor:pointer}.evt{border-bottom:2px solid #7a5}.fig{outline:1px solid #c60;background:#fed}
.ent-PERSON{background:#cdf}.ent-ORG{background:#fdc}.ent-GPE{background:#cfc}.ent-LOC{background:#dfd}
.ent-NORP{background:#fcf}.ent-LAW{background:#ffc}.ent-EVENT{background:#cff}.ent-FAC{background:#eee}
.sel{outline:2px solid #d00 !important}.rej{text-decoration:line-through;opacity:.6}.acc{box-shadow:inset 0 -3px #2a2}
#list{list-style:none;padding:0;margin:0;font-size:12px}#list li{padding:2px 4px;cursor:pointer;border-bottom:1px solid #eee}
#list li.sel{background:#fee}#list li.rej{opacity:.5}.tag{display:inline-block;min-width:5em;color:#555}
#panel{border:1px solid #ccc;padding:.5em;margin-bottom:1em}#panel label{display:inline-block;width:6em}
#pageview{margin-bottom:1em}#pagecap{font-size:12px;color:#555}
#pagewrap{position:relative;line-height:0}#pageimg{width:100%;height:auto;border:0;display:block}
#spanbox{position:absolute;outline:2px solid #d00;outline-offset:1px;background:rgba(255,230,0,.25);pointer-events:none}
#msg{color:#060;min-height:1.5em}#msg.err{color:#b00}kbd{border:1px solid #aaa;border-radius:3px;padding:0 3px}
</style></head><body>
<div id="main"><div><label>Document <select id="doc"></select></label> <span id="who"></span></div>
<p><kbd>a</kbd> accept <kbd>r</kbd> reject <kbd>l</kbd> relabel <kbd>j</kbd>/<kbd>k</kbd> next/previous</p>
<div id="text"></div></div>
<div id="side"><div id="panel"><div id="info">Select an extraction.</div>
<div><label>Label</label><select id="relabel"></select> <button id="do-relabel">Relabel</button></div>
<form id="fields"></form><button id="save-fields" type="button">Save fields</button>
<button id="do-accept" type="button">Accept</button> <button id="do-reject" type="button">Reject</button>
<div id="msg"></div></div>
<div id="pageview" hidden><div id="pagecap"></div><div id="pagewrap"><img id="pageimg" alt="page image"><div id="spanbox" hidden></div></div></div>
<ul id="list"></ul></div>
<script>
"use strict";
const TOKEN = new URLSearchParams(location.search).get("token") || "";
const $ = id => document.getElementById(id);
let doc = null, items = [], cur = -1, segs = [];
function api(path, body) {
  const sep = path.includes("?") ? "&" : "?";
  const url = path + sep + "token=" + encodeURIComponent(TOKEN);
  const opt = body ? {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)} : {};
  return fetch(url, opt).then(r => r.json().then(j => { if (!r.ok) throw new Error(j.error || r.status); return j; }));
}
function msg(t, err) { $("msg").textContent = t; $("msg").className = err ? "err" : ""; }
function el(tag, props, text) { const e = document.createElement(tag); Object.assign(e, props || {}); if (text != null) e.textContent = text; return e; }
function cls(it) {
  if (it.table === "entities") return "ent-" + it.label;
  return it.table === "figures" ? "fig" : "evt";
}
function mark(it) { return it.done === "reject" || it.status === "rejected" ? "rej" : it.done ? "acc" : ""; }
function render() {
  const cps = Array.from(doc.text);  // code points: the pipeline's offsets
  const cuts = new Set([0, cps.length]);
  items.forEach(it => { cuts.add(it.start); cuts.add(it.end); });
  const b = Array.from(cuts).sort((x, y) => x - y);
  const box = $("text"); box.textContent = ""; segs = [];
  for (let i = 0; i + 1 < b.length; i++) {
    const s = b[i], e = b[i + 1], cover = [];
    items.forEach((it, n) => { if (it.start <= s && it.end >= e && it.end > it.start) cover.push(n); });
    const t = cps.slice(s, e).join("");
    if (!cover.length) { box.appendChild(document.createTextNode(t)); continue; }
    const sp = el("span", {className: "x " + cover.map(n => cls(items[n])).join(" ")}, t);
    const best = cover.slice().sort((x, y) => (items[x].end - items[x].start) - (items[y].end - items[y].start))[0];
    sp.dataset.items = cover.join(","); sp.dataset.own = best;
    const m = mark(items[best]); if (m) sp.classList.add(m);
    sp.addEventListener("click", () => select(best));
    box.appendChild(sp); segs.push(sp);
  }
  const list = $("list"); list.textContent = "";
  items.forEach((it, n) => {
    const li = el("li", {className: mark(it)});
    li.dataset.key = it.table + ":" + it.id; li.dataset.n = n;
    li.appendChild(el("span", {className: "tag"}, it.table.slice(0, 3) + " " + (it.label || "")));
    li.appendChild(document.createTextNode(" " + it.quote.slice(0, 80) + "  [" + (it.done || it.status) + "]"));
    li.addEventListener("click", () => select(n));
    list.appendChild(li);
  });
}
function refresh(n) {
  const it = items[n], li = $("list").children[n];
  li.className = mark(it) + (n === cur ? " sel" : "");
  segs.forEach(sp => { if (sp.dataset.own === String(n)) { sp.classList.remove("acc", "rej"); if (mark(it)) sp.classList.add(mark(it)); } });
  li.lastChild.textContent = " " + it.quote.slice(0, 80) + "  [" + (it.done || it.status) + "]";
}
function select(n) {
  if (n < 0 || n >= items.length) return;
  const prev = cur; cur = n;
  if (prev >= 0) refresh(prev);
  refresh(n);
  segs.forEach(sp => sp.classList.toggle("sel", sp.dataset.items.split(",").includes(String(n))));
  const it = items[n];
  $("info").textContent = it.table + " " + it.id + " [" + it.start + "," + it.end + ") \u201c" + it.quote + "\u201d \u2014 " + (it.done || it.status);
  const sel = $("relabel"); sel.textContent = "";
  doc.labels[it.table].forEach(l => sel.appendChild(el("option", {value: l, selected: l === it.label}, l)));
  const f = $("fields"); f.textContent = "";
  doc.form_fields[it.table].forEach(k => {
    const d = el("div"); d.appendChild(el("label", {htmlFor: "f-" + k}, k));
    const v = it.fields[k];
    d.appendChild(el("input", {id: "f-" + k, name: k, value: v == null ? "" : String(v)}));
    f.appendChild(d);
  });
  $("save-fields").disabled = !doc.form_fields[it.table].length;
  showPage(it);
  $("list").children[n].scrollIntoView({block: "nearest"});
  const first = segs.find(sp => sp.classList.contains("sel")); if (first) first.scrollIntoView({block: "nearest"});
}
function showPage(it) {
  // PDF documents: the page image of the selected extraction, its box drawn (PDF points, top-left origin)
  const pv = $("pageview");
  pv.hidden = !doc.pdf;
  if (!doc.pdf) return;
  if (doc.page_problem) { $("pagecap").textContent = "no page image: " + doc.page_problem; $("pagewrap").hidden = true; return; }
  $("pagewrap").hidden = false;
  const b = it.box;
  if (!b) { $("pagecap").textContent = "this extraction has no box"; $("spanbox").hidden = true; return; }
  $("pagecap").textContent = "page " + b.page + " of " + doc.pages.length;
  const src = "/api/page?doc_id=" + encodeURIComponent(doc.doc_id) + "&page=" + b.page + "&token=" + encodeURIComponent(TOKEN);
  const img = $("pageimg");
  if (img.dataset.src !== src) { img.dataset.src = src; img.dataset.page = b.page; img.src = src; }
  placeBox();
}
function placeBox() {
  const img = $("pageimg"), box = $("spanbox"), it = cur >= 0 ? items[cur] : null;
  if (!doc || !doc.pdf || !it || !it.box || !img.complete || !img.naturalWidth || String(it.box.page) !== img.dataset.page) { box.hidden = true; return; }
  const size = doc.pages[it.box.page - 1], kx = img.clientWidth / size[0], ky = img.clientHeight / size[1];
  Object.assign(box.style, {left: it.box.x0 * kx + "px", top: it.box.top * ky + "px",
                            width: (it.box.x1 - it.box.x0) * kx + "px", height: (it.box.bottom - it.box.top) * ky + "px"});
  box.dataset.key = it.table + ":" + it.id;
  box.hidden = false;
}
$("pageimg").addEventListener("load", placeBox);
window.addEventListener("resize", placeBox);
function decide(action, extra) {
  if (cur < 0) return;
  const it = items[cur], n = cur;
  return api("/api/decide", Object.assign({action: action, table: it.table, id: it.id}, extra || {}))
    .then(r => { it.done = action; if (extra && extra.label) it.label = extra.label;
                 if (extra && extra.fields) Object.assign(it.fields, extra.fields);
                 refresh(n); if (n === cur) select(n); msg(action + " " + it.id + " saved (" + r.decision_id + ")"); })
    .catch(e => msg(action + " failed: " + e.message, true));
}
function saveFields() {
  if (cur < 0) return;
  const it = items[cur], changed = {};
  doc.form_fields[it.table].forEach(k => {
    const v = $("f-" + k).value.trim(), old = it.fields[k] == null ? "" : String(it.fields[k]);
    if (v !== old) changed[k] = v;
  });
  if (!Object.keys(changed).length) return msg("no field changed", true);
  return decide("edit", {fields: changed});
}
$("do-accept").onclick = () => decide("accept");
$("do-reject").onclick = () => decide("reject");
$("do-relabel").onclick = () => decide("relabel", {label: $("relabel").value});
$("save-fields").onclick = saveFields;
$("fields").addEventListener("submit", e => { e.preventDefault(); saveFields(); });
document.addEventListener("keydown", e => {
  const t = e.target.tagName;
  if (t === "INPUT" || t === "SELECT" || t === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === "j") select(Math.min(items.length - 1, cur + 1));
  else if (e.key === "k") select(Math.max(0, cur - 1));
  else if (e.key === "a") decide("accept");
  else if (e.key === "r") decide("reject");
  else if (e.key === "l") $("relabel").focus();
  else return;
  e.preventDefault();
});
$("relabel").addEventListener("keydown", e => { if (e.key === "Enter") { e.preventDefault(); decide("relabel", {label: $("relabel").value}); $("relabel").blur(); } });
function load(id) {
  return api("/api/doc?doc_id=" + encodeURIComponent(id)).then(d => {
    doc = d; items = d.items; cur = -1; render(); $("pageview").hidden = !d.pdf; if (items.length) select(0);
    document.body.dataset.ready = id;
  }).catch(e => msg(e.message, true));
}
api("/api/docs").then(r => {
  $("who").textContent = "reviewer: " + r.author + " \u2192 " + r.file;
  r.docs.forEach(d => $("doc").appendChild(el("option", {value: d.doc_id}, d.doc_id + (d.title ? " \u2014 " + d.title.slice(0, 60) : ""))));
  $("doc").onchange = () => load($("doc").value);
  if (r.docs.length) load(r.docs[0].doc_id);
}).catch(e => msg(e.message, true));
</script></body></html>
"""

__all__ = ["ReviewSession", "make_server", "serve", "HOST"]
