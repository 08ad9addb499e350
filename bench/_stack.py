"""Plumbing shared by the benchmarks that load the production set of processes (bench/http_load.py,
bench/soak.py): a throwaway PostgreSQL database, the environment of a production-like run, and
the processes of the repository's Procfile started by honcho. Not a benchmark itself
(bench/run.py skips files starting with "_").

The servers are started exactly as docs/deployment.md says: `honcho start -c web=N` from the
Procfile, N uvicorn processes on consecutive ports, the task worker and the scheduler. Load goes
to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
# The server's administrative URL: a database of the run's own is created beside it.
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = (
    os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
)


def free_port_block(n: int) -> int:
    """A base port whose n consecutive ports are free now (honcho gives web.k base + k - 1)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n >= 65535:
            continue
        ok = True
        for port in range(base + 1, base + n):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no block of free ports")


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def redis_reachable() -> str | None:
    """None when Redis answers, else why not."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        return None
    except Exception as exc:  # noqa: BLE001
        return f"{exc.__class__.__name__}: {exc}"


@contextlib.contextmanager
def bench_database(prefix: str, *, keep: bool = False, reuse: str | None = None):
    """A new PostgreSQL database named `<prefix>_<random>`, dropped afterwards unless `keep`;
    or the database `reuse` (kept by an earlier run), as it is."""
    import psycopg

    base = POSTGRES_URL.rsplit("/", 1)[0]
    if reuse:
        yield f"{base}/{reuse}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    if keep:
        print(f"database {name} is kept (--reuse {name})", flush=True)
    try:
        yield f"{base}/{name}"
    finally:
        if not keep:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str, **extra: str) -> dict:
    """Production settings (DEBUG off, persistent connections, Redis, database task queue),
    over plain HTTP on loopback."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    run = uuid.uuid4().hex[:8]
    env.update(
        {
            "PATH": os.pathsep.join([str(BIN), env.get("PATH", "")]),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
            "DJANGO_SETTINGS_MODULE": "bourse.settings",
            "SECRET_KEY": env.get("SECRET_KEY") or "bench-" + uuid.uuid4().hex * 2,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            # As behind the proxy, which serves /static/ (deploy/nginx.conf): no WhiteNoise, no
            # collectstatic, no manifest.
            "STATIC_MANIFEST": "false",
            "SERVE_STATIC": "false",
            "DATABASE_URL": database_url,
            # A bounded pool per process (docs/deployment.md), not persistent connections:
            # under ASGI those stay open with each request's finished thread.
            "CONN_MAX_AGE": "0",
            "PG_POOL_MAX_SIZE": os.environ.get("PG_POOL_MAX_SIZE", "8"),
            "REDIS_URL": REDIS_URL,
            # Pub/sub channels are global to a Redis server: keep this run's apart.
            "CHANNEL_LAYER_PREFIX": f"bench{run}",
            "CACHE_KEY_PREFIX": f"bench{run}",
            "TASKS_BACKEND": "database",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            # A load test logs in many members from one address.
            "ACCOUNT_RATE_LIMITS_ENABLED": "false",
            # The outside world is not what is measured (and this machine cannot reach it):
            # without these, the scheduler's monthly re-check of every company's registry
            # entry queued 500 tasks an hour that failed and were retried during the runs.
            "REGISTRY_API_URL": "",
            "GEOCODER_API_URL": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 900) -> None:
    subprocess.run(  # noqa: S603 - our own manage.py, same interpreter
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=timeout
    )


def run_python(env: dict, script: str, *args: str, timeout: float = 1800) -> None:
    """A benchmark script's child part (`--child ...`), in the servers' environment."""
    subprocess.run(  # noqa: S603 - our own script, same interpreter
        [PYTHON, script, *args], cwd=ROOT, env=env, check=True, timeout=timeout
    )


class Stack:
    """`honcho start <processes> -c web=N` from the repository's Procfile, in its own session
    (so that stopping it stops every process it started)."""

    def __init__(
        self,
        env: dict,
        *,
        web: int = 2,
        processes: tuple[str, ...] = ("web", "worker", "scheduler"),
    ):
        self.web = web
        # BENCH_PORT_BASE: a fixed block of ports (on a machine shared with other runs).
        self.base_port = int(os.environ.get("BENCH_PORT_BASE") or 0) or free_port_block(web)
        self.ports = [self.base_port + i for i in range(web)]
        self.log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="bourse_bench_honcho_", suffix=".log", delete=False
        )
        self.log = Path(self.log_file.name)
        self.process = subprocess.Popen(  # noqa: S603 - honcho from the same virtualenv
            [
                str(BIN / "honcho"),
                "start",
                "--no-colour",
                "-f",
                str(ROOT / "Procfile"),
                "-d",
                str(ROOT),
                "-p",
                str(self.base_port),
                "-c",
                f"web={web}",
                *processes,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pids: dict[str, int] = {}
        try:
            self._wait_ready(processes)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, processes: tuple[str, ...]) -> None:
        deadline = time.monotonic() + 90
        expected = {f"web.{i + 1}" for i in range(self.web)} | {
            f"{p}.1" for p in processes if p != "web"
        }
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"honcho exited:\n{self.log.read_text(errors='replace')}")
            log = self.log.read_text(errors="replace")
            for name, pid in re.findall(r"\| (\S+) started \(pid=(\d+)\)", log):
                self.pids[name] = int(pid)
            if expected <= set(self.pids) and all(self._listening(p) for p in self.ports):
                return
            time.sleep(0.3)
        raise RuntimeError(f"the stack did not start:\n{self.log.read_text(errors='replace')}")

    @staticmethod
    def _listening(port: int) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    def web_pids(self) -> list[int]:
        return [self.pids[f"web.{i + 1}"] for i in range(self.web)]

    @staticmethod
    def rss_mb(pid: int) -> float:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    @staticmethod
    def cpu_seconds(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def web_rss_mb(self) -> list[float]:
        return [round(self.rss_mb(pid), 1) for pid in self.web_pids()]

    def web_cpu_seconds(self) -> float:
        return sum(self.cpu_seconds(pid) for pid in self.web_pids())

    def alive(self) -> bool:
        return self.process.poll() is None and all(
            Path(f"/proc/{pid}").exists() for pid in self.pids.values()
        )

    def tracebacks(self) -> int:
        return self.log.read_text(errors="replace").count("Traceback")

    def stop(self) -> None:
        if self.process.poll() is None:
            # honcho passes SIGTERM on to each process and waits for them.
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self.log_file.close()
        if self.tracebacks():
            print(f"the servers' log, with tracebacks, is kept: {self.log}", flush=True)
        else:
            self.log.unlink(missing_ok=True)


def redis_stats(prefix: str) -> dict:
    """Connected clients of the whole Redis server, and the keys of this run (its prefix)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    info = client.info()
    keys = sum(1 for _ in client.scan_iter(match=f"*{prefix}*", count=1000))
    return {
        "clients": int(info.get("connected_clients", 0)),
        "keys": keys,
        "db_keys": int(client.dbsize()),
        "used_memory_mb": round(int(info.get("used_memory", 0)) / 1024 / 1024, 2),
    }


def raise_open_files_limit(needed: int = 8192) -> None:
    """1,000 sockets, their servers' ends and the HTTP clients need more files than the usual
    soft limit of 1,024: raise it up to the hard limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def login_sessions(users) -> list[str]:
    """A logged-in session per user, stored in one statement (the benchmark's clients send
    their keys as the session cookie). Needs Django set up: call it in the seeding child."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    keys, sessions = [], []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expires)
        )
        keys.append(key)
    Session.objects.bulk_create(sessions)
    return keys
