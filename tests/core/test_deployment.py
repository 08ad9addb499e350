"""The production set as docs/deployment.md describes it: the Procfile's processes and the
database pool an ASGI process uses."""

import os
import subprocess
import sys
from pathlib import Path

from tests.core.test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DEBUG"}}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "CONN_MAX_AGE"):
        base.pop(name, None)
    return {**base, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "bourse.settings", **env}


def _settings(expression: str, **env: str) -> str:
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print({expression})",
        ],
        cwd=ROOT,
        env=_production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_pool_size_gives_each_process_a_bounded_pool_instead_of_persistent_connections():
    db = "settings.DATABASES['default']"
    out = _settings(
        f"{db}['OPTIONS']['pool'], {db}['CONN_MAX_AGE']", PG_POOL_MAX_SIZE="6", CONN_MAX_AGE="60"
    )
    assert out == "{'min_size': 2, 'max_size': 6, 'timeout': 10.0} 0"
    assert _settings(f"'pool' in {db}['OPTIONS']") == "False"


def test_procfile_starts_the_production_set():
    lines = dict(
        line.split(":", 1)
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(lines) == {"web", "worker", "scheduler"}
    assert "uvicorn bourse.asgi:application" in lines["web"]
    assert '--port "$PORT"' in lines["web"]
    # Behind the proxy, the client's address comes from X-Forwarded-For (rate limits).
    assert "--proxy-headers" in lines["web"] and "--forwarded-allow-ips" in lines["web"]
    assert lines["worker"].split() == ["exec", "python", "manage.py", "db_worker"]
    assert lines["scheduler"].split() == ["exec", "python", "manage.py", "run_scheduler"]


def test_behind_the_proxy_every_middleware_runs_on_the_event_loop():
    """Under ASGI a synchronous-only middleware costs every request two more hops between the
    event loop and a thread. With SERVE_STATIC=false (the proxy serves /static/) none is left:
    Django adapts no handler when it builds the middleware chain."""
    code = (
        "import logging, django; django.setup(); "
        "logging.getLogger('django.request').setLevel(logging.DEBUG); "
        "logging.getLogger('django.request').addHandler(logging.StreamHandler()); "
        "from django.core.handlers.asgi import ASGIHandler; ASGIHandler(); print('built')"
    )

    def build(serve_static: str) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", code],
            cwd=ROOT,
            # Django says which handler it adapted only with DEBUG on.
            env=_production_env(SERVE_STATIC=serve_static, DEBUG="true"),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "built" in done.stdout, done.stderr
        return done.stderr

    assert "adapted for middleware" not in build("false")
    # WhiteNoise (serving /static/ without a proxy) is the one that is synchronous only.
    assert "adapted for middleware whitenoise" in build("true")


def test_the_start_up_objects_are_out_of_every_later_full_collection():
    """bourse.asgi freezes what the start-up built: a full collection then traverses only what
    the process made since (a full collection of the start-up took ~100 ms of CPU, a pause in
    the middle of serving sockets)."""
    script = "import gc, bourse.asgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    frozen, tracked = (int(n) for n in result.stdout.split())
    assert frozen > 50_000
    assert tracked < frozen / 10
