"""The production set as docs/deployment.md describes it: the Procfile's processes and the
database pool an ASGI process uses."""

import os
import subprocess
import sys
from pathlib import Path

from tests.core.test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]


def _settings(expression: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DEBUG"}}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "CONN_MAX_AGE"):
        base.pop(name, None)
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print({expression})",
        ],
        cwd=ROOT,
        env={**base, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "bourse.settings", **env},
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
