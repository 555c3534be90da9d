"""``pipeline review serve``: a built-in review page on 127.0.0.1 (stdlib ``http.server``, no downloads).

The page shows one document of a published dataset (``outputs/``) at a time: its canonical text
with the extractions coloured (entities by label, figures boxed, events underlined) and a list of
them. On the selected extraction: ``a`` accept, ``r`` reject, ``l`` relabel (a select), ``j``/``k``
next/previous; a small form edits a figure's or an event's normalized fields. For a PDF document the
selected extraction's page is shown as an image (``/api/page``, rendered by :mod:`.pages` from
``raw/<documents.source>``) with the extraction's box drawn on it; text documents have no image.

* :mod:`.session` — the dataset, the session file, building and appending decisions;
* :mod:`.handler` — the HTTP handler (token, page, API, refusals of malformed requests);
* ``static/review.html`` — the page itself;
* here — the server: threaded (one daemon thread per request, a listen backlog of
  :data:`REQUEST_QUEUE_SIZE`, so a burst of posts is queued, not reset).

Security: the server binds 127.0.0.1 only and every request must carry the random ``token``
printed with the URL (``/?token=…``), else 403. The page is self-contained (no external URLs; a
Content-Security-Policy forbids them).
"""

from __future__ import annotations

import getpass
import secrets
from http.server import ThreadingHTTPServer
from pathlib import Path

from pipeline.review.handler import ReviewHandler
from pipeline.review.session import ReviewSession

HOST = "127.0.0.1"
REQUEST_QUEUE_SIZE = 128


class ReviewServer(ThreadingHTTPServer):
    """A threaded HTTP server whose threads never keep the process alive and whose backlog absorbs bursts."""

    daemon_threads = True
    request_queue_size = REQUEST_QUEUE_SIZE


def make_server(session: ReviewSession, port: int = 0, token: str | None = None) -> tuple[ReviewServer, str]:
    """A server on 127.0.0.1:``port`` (0: any free port) and its URL with the token."""
    token = token or secrets.token_urlsafe(24)
    handler = type("Handler", (ReviewHandler,), {"session": session, "token": token})
    httpd = ReviewServer((HOST, port), handler)
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


__all__ = ["ReviewServer", "ReviewSession", "make_server", "serve", "HOST"]
