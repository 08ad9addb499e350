"""Real `uvicorn bourse.asgi:application` processes for the tests that need a running server
(tests/e2e: browser journeys; tests/messaging: sockets across processes, the chat in a browser).

Each test gets a throwaway database of the suite's kind: a temporary SQLite file, or, when the
suite runs on PostgreSQL (DATABASE_URL=postgres://...), a database `bourse_<prefix>_<random>`
on the same server, created and dropped here. `migrated_database` gives one already migrated:
`manage.py migrate` runs once per test run into a template (10 s of a loaded CI machine), and
each test gets a copy of it (a file copy, or PostgreSQL's `CREATE DATABASE ... TEMPLATE`).
"""

import atexit
import contextlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
UVICORN = str(Path(PYTHON).with_name("uvicorn"))
PASSWORD = "motdepasse-solide-42"

# 127.0.0.1 is never reached through a proxy set in the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def _admin_connection(url: str):
    """An autocommit connection to the maintenance database of the server of `url`."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password) if parts.password else None,
        dbname="postgres",
        autocommit=True,
    )


def _database_url(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


@contextlib.contextmanager
def throwaway_database(tmp_path: Path, prefix: str, template: str | None = None):
    """A DATABASE_URL of an empty database of the suite's kind (or a copy of `template`, a
    URL of the same kind), dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not _is_postgres(url):
        path = tmp_path / f"{prefix}.sqlite3"
        if template:
            # SQLite's backup, not a file copy: the template is in WAL mode.
            source = sqlite3.connect(template.removeprefix("sqlite:///"))
            copy = sqlite3.connect(path)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        yield f"sqlite:///{path}"
        return
    name = f"bourse_{prefix}_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{urllib.parse.urlsplit(template).path[1:]}"' if template else ""
    with _admin_connection(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield _database_url(url, name)
    finally:
        with _admin_connection(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_migrated_template: str | None = None


def _drop_template(url: str, folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    if _is_postgres(url):
        with _admin_connection(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{urllib.parse.urlsplit(url).path[1:]}"')


def _template() -> str:
    """The URL of this run's migrated template database, migrated on the first call."""
    global _migrated_template
    if _migrated_template is None:
        url = os.environ.get("DATABASE_URL", "")
        folder = tempfile.mkdtemp(prefix="bourse-template-")
        if _is_postgres(url):
            template = _database_url(url, f"bourse_template_{uuid.uuid4().hex[:10]}")
            with _admin_connection(url) as conn:
                conn.execute(f'CREATE DATABASE "{urllib.parse.urlsplit(template).path[1:]}"')
        else:
            template = f"sqlite:///{Path(folder) / 'template.sqlite3'}"
        atexit.register(_drop_template, template, folder)
        done = subprocess.run(
            [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=base_env(template, DEBUG="true"),
            timeout=300,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError("migrate of the template failed:\n" + done.stdout + done.stderr)
        _migrated_template = template
    return _migrated_template


def migrated_database(tmp_path: Path, prefix: str):
    """A DATABASE_URL of a database of the suite's kind, migrated, without any other row,
    dropped afterwards."""
    return throwaway_database(tmp_path, prefix, template=_template())


def base_env(database_url: str, **extra: str) -> dict:
    """The server's environment: this process's, minus pytest's, plus what every live server
    needs (its database, names of its own on a shared Redis, no login rate limits)."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is the in-process browser tests' setting, never the server's.
    skip = {
        "PYTEST_VERSION",
        "DJANGO_SETTINGS_MODULE",
        "PYTEST_CURRENT_TEST",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bourse.settings",
            "SECRET_KEY": "live-test-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            # Channel and cache names are global to a Redis server: keep this run's apart.
            "CHANNEL_LAYER_PREFIX": f"live{uuid.uuid4().hex[:8]}",
            "CACHE_KEY_PREFIX": f"live{uuid.uuid4().hex[:8]}",
            "ACCOUNT_RATE_LIMITS_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


class Server:
    """One uvicorn process on a free port (or `port`), healthy before the constructor returns."""

    def __init__(self, env: dict, log_path: Path, port: int | None = None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}/ws/"
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [UVICORN, "bourse.asgi:application", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready()
        except Exception:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}")
            try:
                with _opener.open(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError("uvicorn did not become healthy in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()

    def request(self, method: str, path: str, *, token: str | None = None, data=None):
        """(status, JSON body) of an API call, with an app session token if given."""
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)  # noqa: S310
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept", "application/json")
        if token:
            request.add_header("X-Session-Token", token)
        try:
            with _opener.open(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def get_json(self, path: str):
        return self.request("GET", path)

    def app_login(self, email: str) -> str:
        """An app session token (allauth headless) for `email`, whose password is PASSWORD."""
        status, body = self.request(
            "POST", "/_allauth/app/v1/auth/login", data={"email": email, "password": PASSWORD}
        )
        assert status == 200, body
        return body["meta"]["session_token"]
