"""Fixtures shared by the whole suite, and the rules for tests that need real services.

Tests marked `postgres`, `redis` or `browser` skip with a reason when the service is absent;
a service named in REQUIRE_SERVICES (comma separated, as CI sets it) fails them instead, so no
test is skipped silently in CI.
"""

import os
import shutil

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import Company, Membership

from . import factories


def _service_missing(marker: str) -> str | None:
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    elif marker == "redis":
        if not settings.REDIS_URL:
            return "needs Redis: set REDIS_URL=redis://..."
    elif marker == "browser":
        if not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"):
            return "needs Chromium (apt-get install chromium)"
        try:
            import playwright  # noqa: F401
        except ImportError:
            return "needs Playwright (pip install playwright)"
    return None


def _required_services() -> set[str]:
    return {s.strip() for s in os.environ.get("REQUIRE_SERVICES", "").split(",") if s.strip()}


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _service_missing(marker)
        if reason is None:
            continue
        if marker in _required_services():
            pytest.fail(f"REQUIRE_SERVICES names {marker}, but the test {reason}")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Uploaded files go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def company(db) -> Company:
    """A verified company in Lyon (69002)."""
    return factories.CompanyFactory()


@pytest.fixture
def company_admin(company):
    return factories.MembershipFactory(company=company, role=Membership.Role.ADMIN).user


@pytest.fixture
def company_member(company):
    return factories.MembershipFactory(company=company, role=Membership.Role.MEMBER).user


@pytest.fixture
def other_company(db) -> Company:
    """A verified company in Saint-Étienne (42000)."""
    return factories.CompanyFactory(postal_code="42000")


@pytest.fixture
def other_admin(other_company):
    return factories.MembershipFactory(company=other_company).user


@pytest.fixture
def moderator(db):
    """A moderator for Rhône and Loire."""
    return factories.ModeratorFactory(departements=["69", "42"]).user


@pytest.fixture
def national_moderator(db):
    return factories.ModeratorFactory(is_national=True, departements=[]).user


@pytest.fixture
def client_for():
    """An API client logged in as the given user (session auth, CSRF not enforced)."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2's deliberate slowness (~0.3 s per user on this machine) adds up over the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrated data (categories, content types) when it
    ends: a plain `transaction=True` test flushes the tables, and a later serialized_rollback
    test would then trip over re-created content types. A new transactional test without
    serialized_rollback fails here, by name, instead of breaking another test later."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)"
            )
