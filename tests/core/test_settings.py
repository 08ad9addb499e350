"""The production configuration comes from the environment alone and passes Django's checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "SECRET_KEY": "k8#Zq2!vR9mW4tY7uI1oP3aS6dF0gH5jK2lZ8xC4vB7nM1qW9eR3tY6uI0oP2aS5dF",
    "ALLOWED_HOSTS": "bourse.cci.example.fr",
    "DEBUG": "false",
    "DATABASE_URL": "postgres://bourse:secret@db.internal:5432/bourse",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "TASKS_BACKEND": "database",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DEBUG"}}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"):
        base.pop(name, None)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV)
    env.pop("SECRET_KEY")
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_malformed_boolean_is_refused_with_its_name():
    result = _manage("check", env={**PRODUCTION_ENV, "LISTINGS_REQUIRE_APPROVAL": "maybe"})
    assert result.returncode != 0
    assert "LISTINGS_REQUIRE_APPROVAL" in result.stderr


def test_embedded_default_uses_sqlite_and_in_memory_layer():
    from django.conf import settings

    if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
        return  # the second CI pass configures real services on purpose
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_plan_without_parallel_workers_or_jit():
    """Both only add time to this application's short statements (bourse/settings.py)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
