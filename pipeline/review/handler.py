"""The review page's HTTP handler: token check, the page, the JSON API, and refusals of bad requests.

``GET /`` the page (``static/review.html``, package data), ``GET /api/docs``, ``/api/doc``,
``/api/page`` (a PDF page as PNG), ``POST /api/decide`` (one decision as JSON). Every request must
carry the session's ``token`` (else 403). A POST is refused with a 4xx and a JSON ``error`` when its
Content-Length is missing, not a number, negative or over :data:`MAX_BODY`, when the body is not a
JSON object (also nested too deeply, or with NaN/Infinity), or when the decision is invalid; the
connection is closed after a refusal, and a client that stalls is dropped after :data:`TIMEOUT_S`.
"""

from __future__ import annotations

import hmac
import json
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pipeline.review.session import ReviewSession

MAX_BODY = 64 * 1024
TIMEOUT_S = 10.0
PAGE = "review.html"


@cache
def page() -> bytes:
    """The review page (HTML, CSS and script in one self-contained file, read from the package)."""
    return resources.files(__package__).joinpath("static", PAGE).read_bytes()


class ReviewHandler(BaseHTTPRequestHandler):
    server_version = "pipeline-review"
    timeout = TIMEOUT_S  # a client that stops sending frees its thread
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
        body = json.dumps(obj, ensure_ascii=False, allow_nan=False).encode()
        self._send(status, body, "application/json; charset=utf-8")

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
                self._send(200, page(), "text/html; charset=utf-8")
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
            return self._refuse(404, "not found")
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            return self._refuse(415, "JSON only: send Content-Type: application/json")
        length = self.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
            return self._refuse(400, f"Content-Length must be the body's size in bytes, not {length!r}")
        n = int(length)
        if n > MAX_BODY:
            return self._refuse(413, f"too large: a decision is at most {MAX_BODY} bytes")
        try:
            body = json.loads(self.rfile.read(n) or b"{}", parse_constant=_no_constant)
            if not isinstance(body, dict):
                raise ValueError("a JSON object is expected")
            d = self.session.decide(body)
        except RecursionError:
            return self._json(400, {"error": "malformed JSON: nested too deeply"})
        except (ValueError, KeyError) as e:  # bad JSON, an invalid decision, an unknown row
            return self._json(400, {"error": str(e).strip("'\"")})
        except OSError as e:  # the client went away, or the session file cannot be written
            return self._refuse(500, f"{type(e).__name__}: {e}")
        self._json(200, {"ok": True, "decision_id": d.decision_id, "action": d.action, "target_id": d.target_id})

    def _refuse(self, status: int, error: str) -> None:
        """Answer an error before the body is read, and close the connection (its unread body is not a request)."""
        self.close_connection = True
        self._json(status, {"error": error})


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows: send a finite number")


__all__ = ["ReviewHandler", "MAX_BODY", "page"]
