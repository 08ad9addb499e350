"""A real `uvicorn bourse.asgi:application` for end-to-end journeys, with its own database.

The database is a temporary SQLite file, or, when the suite runs on PostgreSQL
(DATABASE_URL=postgres://...), a throwaway database `bourse_e2e_<random>` on the same server,
created and dropped here. REDIS_URL, when set, is kept: the server then uses the Redis channel
layer and cache. E-mails go to files that the journeys read (verification codes, notices).
"""

import contextlib
import email
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
UVICORN = str(Path(PYTHON).with_name("uvicorn"))
PASSWORD = "motdepasse-solide-42"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

# 127.0.0.1 is never reached through a proxy set in the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def e2e_database(tmp_path: Path):
    """A DATABASE_URL of an empty database of the suite's kind, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"bourse_e2e_{uuid.uuid4().hex[:10]}"
    admin = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": urllib.parse.unquote(parts.username or "postgres"),
        "password": urllib.parse.unquote(parts.password) if parts.password else None,
        "dbname": "postgres",
    }
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path="/" + name))
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str, mail_dir: Path, media_dir: Path, **extra: str) -> dict:
    skip = {"PYTEST_VERSION", "DJANGO_SETTINGS_MODULE", "PYTEST_CURRENT_TEST"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bourse.settings",
            "SECRET_KEY": "e2e-secret-key-" + "x" * 40,
            "DEBUG": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "MEDIA_ROOT": str(media_dir),
            "TASKS_BACKEND": "immediate",
            "ACCOUNT_RATE_LIMITS_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
            # Channel and cache names are global to a Redis server: keep this run's apart.
            "CHANNEL_LAYER_PREFIX": f"e2e{uuid.uuid4().hex[:8]}",
            "CACHE_KEY_PREFIX": f"e2e{uuid.uuid4().hex[:8]}",
        }
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str) -> str:
    """Run `manage.py <args>` against the server's database; returns its output."""
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=False,
        timeout=300,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def read_mails(mail_dir: Path) -> list[Message]:
    """Every message Django's file backend wrote, oldest file first."""
    messages = []
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def mail_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8")
    return ""


def mails_to(mail_dir: Path, address: str) -> list[tuple[str, str]]:
    """(subject, text) of the messages sent to `address`."""
    found = []
    for message in read_mails(mail_dir):
        if address in message.get("To", ""):
            subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
            found.append((subject, mail_text(message)))
    return found


def wait_for_mail(mail_dir: Path, address: str, contains: str, timeout: float = 10):
    """The text of the first message to `address` whose subject or text contains `contains`."""
    deadline = time.monotonic() + timeout
    while True:
        for subject, text in mails_to(mail_dir, address):
            if contains in subject or contains in text:
                return subject, text
        if time.monotonic() > deadline:
            raise AssertionError(f"no e-mail to {address} containing {contains!r}")
        time.sleep(0.1)


class Server:
    """One uvicorn process on a free port."""

    def __init__(self, env: dict, log_path: Path, port: int | None = None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
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

    def get_json(self, path: str):
        request = urllib.request.Request(self.base + path, headers={"Accept": "application/json"})  # noqa: S310
        with _opener.open(request, timeout=10) as response:
            return response.status, json.loads(response.read())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()
