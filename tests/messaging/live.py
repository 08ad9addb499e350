"""Real ASGI servers for end-to-end tests: uvicorn processes sharing one database and Redis.

The database is a temporary SQLite file (WAL) or, when the suite runs on PostgreSQL, a
throwaway PostgreSQL database next to the test one. It is migrated and seeded by a
subprocess with the servers' own environment, so the servers see exactly what was seeded.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
UVICORN = str(Path(PYTHON).with_name("uvicorn"))
PASSWORD = "motdepasse-solide-42"

# Plain HTTP opener that ignores any proxy configured in the environment: load goes to 127.0.0.1.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def live_database(tmp_path: Path):
    """A DATABASE_URL of a fresh database, dropped afterwards."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        import psycopg

        name = f"bourse_live_{uuid.uuid4().hex[:10]}"
        conninfo = {
            "host": db.get("HOST") or "127.0.0.1",
            "port": db.get("PORT") or 5432,
            "user": db.get("USER") or "postgres",
            "password": db.get("PASSWORD") or None,
            "dbname": "postgres",
        }
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        auth = conninfo["user"] + (f":{conninfo['password']}" if conninfo["password"] else "")
        try:
            yield f"postgres://{auth}@{conninfo['host']}:{conninfo['port']}/{name}"
        finally:
            with psycopg.connect(**conninfo, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{tmp_path / 'live.sqlite3'}"


def server_env(database_url: str, **extra: str) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bourse.settings",
            "SECRET_KEY": "live-test-secret-key-" + "x" * 40,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "STATIC_MANIFEST": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": settings.REDIS_URL,
            # Pub/sub channels are global to a Redis server: keep this run's groups apart.
            "CHANNEL_LAYER_PREFIX": f"live{uuid.uuid4().hex[:8]}",
            "CACHE_KEY_PREFIX": f"live{uuid.uuid4().hex[:8]}",
            "ACCOUNT_RATE_LIMITS_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


SEED = r"""
import json, django
django.setup()
from datetime import timedelta
from django.utils import timezone
from allauth.account.models import EmailAddress
from accounts.models import Company, Membership, User
from bourse.listings.models import Category, Listing
from messaging import services

def company(name, siret):
    return Company.objects.create(
        name=name, siret=siret, siren=siret[:9], address="1 rue de la Paix", postal_code="69002",
        commune="Lyon", departement="69", latitude=45.75, longitude=4.83,
        status=Company.Status.VERIFIED,
    )

def member(email, c):
    user = User.objects.create_user(email=email, password=PASSWORD, first_name=email.split("@")[0])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.create(user=user, company=c, role="admin")
    return user

a, b = company("Alpha Logistique", "73282932000074"), company("Beta Industrie", "55208131766522")
owner, writer = member("owner@alpha.fr", a), member("writer@beta.fr", b)
category = Category.objects.filter(parent__isnull=False).first() or Category.objects.create(
    slug="live-test", name="Test")
now = timezone.now()
listing = Listing.objects.create(
    company=a, kind="offer", title="Entrepôt sec 200 m²", description="Disponible.",
    category=category, terms="rent", status="published", postal_code="69002", commune="Lyon",
    departement="69", latitude=45.75, longitude=4.83, published_at=now,
    expires_at=now + timedelta(days=60),
)
conversation, _ = services.conversation_start(listing=listing, by=writer, body="Bonjour")
print(json.dumps({"conversation": conversation.pk, "owner": owner.email, "writer": writer.email,
                  "owner_company": a.pk, "writer_company": b.pk}))
"""


def prepare(env: dict) -> dict:
    """Migrate and seed the live database; returns ids and e-mails."""
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    out = subprocess.run(
        [PYTHON, "-c", f"PASSWORD = {PASSWORD!r}\n" + SEED],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


class Server:
    """One `uvicorn bourse.asgi:application` process on a free port."""

    def __init__(self, env: dict, log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}/ws/"
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [UVICORN, "bourse.asgi:application", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

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
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()

    def request(self, method: str, path: str, *, token: str | None = None, data=None):
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

    def app_login(self, email: str) -> str:
        status, body = self.request(
            "POST", "/_allauth/app/v1/auth/login", data={"email": email, "password": PASSWORD}
        )
        assert status == 200, body
        return body["meta"]["session_token"]
