"""A local HTTP server that plays the outside world's recorded answers back (tests/recorded/).

The project's clients of public services (bourse/core/outside.py) run for real against it: real
sockets, real timeouts, real status codes; only the service at the other end is a recording.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RECORDED = Path(__file__).resolve().parent / "recorded"


class RecordedService:
    """Answers GET <path>?q=... from RECORDED/<folder>/<path name>-<q>.json (in the file name,
    every run of characters other than letters and digits in q becomes one hyphen).

    `slow` queries sleep past any client timeout; `limited` ones answer 429 as the real
    service does past its rate limit; `broken` ones answer 500. `calls` counts what arrived."""

    def __init__(self, folder: str):
        self.folder = RECORDED / folder
        self.slow: set[str] = set()
        self.limited: set[str] = set()
        self.broken: set[str] = set()
        self.calls: list[str] = []
        self._stop = threading.Event()

    def handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query).get("q", [""])[0]
                service.calls.append(query)
                if query in service.slow:
                    service._stop.wait(10)
                    return self._answer(200, {"results": []})
                if query in service.limited:
                    return self._answer(429, {"erreur": "Trop de requêtes"})
                if query in service.broken:
                    return self._answer(500, {"erreur": "Erreur interne"})
                name = url.path.strip("/").replace("/", "-") or "root"
                slug = re.sub(r"[^A-Za-z0-9]+", "-", query).strip("-")
                recorded = service.folder / f"{name}-{slug}.json"
                if not recorded.exists():
                    return self._answer(404, {"erreur": "aucun enregistrement"})
                return self._answer(200, json.loads(recorded.read_text(encoding="utf-8")))

            def _answer(self, status: int, body: dict) -> None:
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        return Handler

    @contextlib.contextmanager
    def running(self):
        server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        server.daemon_threads = True
        # A short poll: shutdown() waits for the loop to look at its flag (0.5 s by default).
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            self._stop.set()
            server.shutdown()
            server.server_close()
            time.sleep(0)
