"""deploy/nginx.conf: a valid configuration (`nginx -t`), and run for real in front of a stand-in
upstream: searches limited per client address (429 in French, JSON for the API, a page for a
browser, Retry-After), everything else passed through, the client's address overwritten for the
application's own limits.

Needs nginx and openssl (CI installs nginx); skipped without them.
"""

import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") and shutil.which("openssl")),
    reason="needs nginx and openssl to run deploy/nginx.conf",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Upstream(http.server.BaseHTTPRequestHandler):
    """Answers 200 with the path and the X-Forwarded-For it was given."""

    def do_GET(self):  # noqa: N802 - the standard library's name
        body = json.dumps(
            {"path": self.path, "forwarded_for": self.headers.get("X-Forwarded-For")}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _site_with_certificate(tmp_path) -> str:
    """The sample site with a throwaway self-signed certificate in place of Let's Encrypt's."""
    subprocess.run(  # noqa: S603 - a throwaway self-signed certificate
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=bourse.example.fr", "-keyout", "key.pem", "-out", "cert.pem"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    return site.replace(
        "/etc/letsencrypt/live/bourse.example.fr/fullchain.pem", str(tmp_path / "cert.pem")
    ).replace("/etc/letsencrypt/live/bourse.example.fr/privkey.pem", str(tmp_path / "key.pem"))


def test_nginx_sample_is_a_valid_configuration(tmp_path):
    site = _site_with_certificate(tmp_path)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "main.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path};\n"
        f"  include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(  # noqa: S603
        ["nginx", "-t", "-c", str(tmp_path / "main.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # What the application relies on: the body cap above Django's, WebSocket upgrade, the
    # client's address overwritten (not appended to), static and media not through Python.
    assert "client_max_body_size 12m;" in site
    assert "proxy_set_header Upgrade $http_upgrade;" in site
    assert "$proxy_add_x_forwarded_for" not in site
    assert "alias /srv/bourse/staticfiles/;" in site and "alias /srv/bourse/media/;" in site


@pytest.fixture
def proxy(tmp_path):
    """The sample site on free ports, its upstream a stand-in: yields the HTTPS base URL."""
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    https_port, http_port = _free_port(), _free_port()
    site = _site_with_certificate(tmp_path)
    for old, new in [
        ("127.0.0.1:5000", f"127.0.0.1:{upstream.server_port}"),
        ("127.0.0.1:5001", f"127.0.0.1:{upstream.server_port}"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
    ]:
        assert old in site, old
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site)
    temp = "".join(
        f"  {kind}_temp_path {tmp_path}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "main.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        + "daemon off;\nevents {}\n"
        + f"http {{\n  access_log off;\n{temp}  include {tmp_path}/site.conf;\n}}\n"
    )
    server = subprocess.Popen(  # noqa: S603 - its errors go to error.log
        ["nginx", "-c", str(tmp_path / "main.conf"), "-p", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "error.log").read_text()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        yield f"https://127.0.0.1:{https_port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()


_INSECURE = ssl.create_default_context()
_INSECURE.check_hostname = False
_INSECURE.verify_mode = ssl.CERT_NONE  # the throwaway certificate


def _get(url: str) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Host": "bourse.example.fr"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, context=_INSECURE, timeout=5) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read().decode()


def test_searches_beyond_a_burst_are_refused_in_french_and_nothing_else(proxy):
    page = [_get(f"{proxy}/annonces/?q=palettes") for _ in range(45)]
    statuses = [status for status, _headers, _body in page]
    # The burst (30) and the first one pass at once, the rest of this quick loop is refused.
    assert statuses[:31] == [200] * 31
    assert statuses.count(429) >= 10
    status, headers, body = next(p for p in page if p[0] == 429)
    assert headers["Retry-After"] == "2"
    assert headers["Content-Type"].startswith("text/html")
    assert "Trop de recherches" in body and 'lang="fr"' in body

    status, headers, body = _get(f"{proxy}/api/v1/listings/?q=palettes")
    assert status == 429  # the same client address, the same budget
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["detail"].startswith("Trop de recherches")
    assert _get(f"{proxy}/api/v1/listings/map/?q=palettes")[0] == 429
    assert _get(f"{proxy}/annonces/carte/")[0] == 429

    # A listing's page, the home page, another API path: not counted.
    for path in ("/annonces/12/", "/", "/api/v1/categories/", "/annonces/mes-annonces/"):
        assert all(_get(f"{proxy}{path}")[0] == 200 for _ in range(40)), path
    # The budget comes back at 5 a second.
    time.sleep(1.5)
    status, _headers, body = _get(f"{proxy}/annonces/?q=palettes")
    assert status == 200
    # The application sees the client's address, set by the proxy, not appended to.
    assert json.loads(body)["forwarded_for"] == "127.0.0.1"
