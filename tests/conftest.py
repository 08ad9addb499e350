"""Fixtures shared by the whole suite, and the rules for tests that need real services.

Tests marked `postgres`, `redis` or `browser` skip with a reason when the service is absent;
a service named in REQUIRE_SERVICES (comma separated, as CI sets it) fails them instead, so no
test is skipped silently in CI.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
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
def admin_user(admin_user, settings):
    """pytest-django's superuser (behind `admin_client`), having accepted the terms in force like
    every account the factories make: otherwise the terms page (accounts/terms.py) stands
    before every admin page."""
    from django.utils import timezone

    admin_user.terms_accepted_at = timezone.now()
    admin_user.terms_version = settings.TERMS_VERSION
    admin_user.save(update_fields=["terms_accepted_at", "terms_version"])
    return admin_user


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
def family(db):
    """A parent category with two children of its own, never the seeded taxonomy:
    (parent, storage, cold storage)."""
    parent = factories.CategoryFactory(name="Stockage (test)")
    return (
        parent,
        factories.CategoryFactory(parent=parent, name="Entrepôt sec (test)"),
        factories.CategoryFactory(parent=parent, name="Chambre froide (test)"),
    )


@pytest.fixture
def need(company, family):
    """A need of `company` (Lyon), 30 km radius."""
    return factories.ListingFactory(
        company=company,
        kind="need",
        category=family[1],
        radius_km=30,
        title="Recherche entrepôt pour palettes",
        description="Besoin de 200 m2 avec quai de chargement.",
    )


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
    """PBKDF2's deliberate slowness (~0.3 s per user on this machine) adds up over the suite:
    factories hash a password per user, and no test is about the hasher's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _unordered_querysets_in_random_order():
    """A query that asks for no order (no `order_by`, no `Meta.ordering`) comes back in random
    order, so no test depends on an order nobody asked for: the database promises none, and
    PostgreSQL changes it after an update or a vacuum. `.order_by()` (an explicit "any order"),
    `DISTINCT` queries and the ordering Django clears itself (counts, `exists`, `__in`
    subqueries) are left alone. (The idea is Les emplois' test configuration.)"""
    from django.db.models.expressions import OrderBy
    from django.db.models.functions import Random
    from django.db.models.sql.compiler import SQLCompiler

    original = SQLCompiler._order_by_pairs

    def _order_by_pairs(self):
        query = self.query
        meta = query.get_meta()
        if (
            query.default_ordering
            and not query.extra_order_by
            and not query.order_by
            and not (meta and meta.ordering)
            and not query.distinct
            and not query.combinator
        ):
            yield OrderBy(Random()), False
            return
        yield from original(self)

    SQLCompiler._order_by_pairs = _order_by_pairs
    yield
    SQLCompiler._order_by_pairs = original


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


class _Chromium:
    """One headless Chromium (Playwright's sync API) for the whole run, launched when the first
    browser test starts: Playwright's driver and a Chromium cost a few seconds to start on a
    loaded machine, and every test works in browser contexts of its own, which share nothing
    (cookies, storage, cache). Relaunched if it ever stops answering (a crash)."""

    def __init__(self):
        self.playwright = None
        self.browser = None
        self.loop = None

    def get(self):
        import asyncio

        if self.playwright is None:
            from playwright.sync_api import sync_playwright

            self.playwright = sync_playwright().start()
            # The loop Playwright runs between its calls (see `resume` and `pause`).
            self.loop = asyncio.get_running_loop()
        else:
            self.resume()
        if self.browser is None or not self.browser.is_connected():
            self.browser = self.playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
        return self.browser

    # Playwright's sync API marks its event loop as the thread's running loop after each of its
    # calls (playwright/_impl/_greenlets.py), as long as it is started. Outside browser tests
    # the thread must have none (pytest-asyncio runs loops of its own, Django refuses ORM calls
    # under a running loop): `pause` takes the mark off after a browser test, `resume` puts it
    # back before the next call to Playwright.
    def pause(self) -> None:
        import asyncio

        asyncio._set_running_loop(None)

    def resume(self) -> None:
        import asyncio

        asyncio._set_running_loop(self.loop)

    def stop(self) -> None:
        if self.playwright is None:
            return
        self.resume()
        try:
            if self.browser is not None and self.browser.is_connected():
                self.browser.close()
        finally:
            self.playwright.stop()
            self.pause()


@pytest.fixture(scope="session")
def _chromium():
    chromium = _Chromium()
    yield chromium
    chromium.stop()


@pytest.fixture
def browser(_chromium, request, tmp_path, monkeypatch):
    """The run's headless Chromium (Playwright's sync API), for tests marked `browser`; the
    contexts a test opens are closed when it ends. When the test fails, every open page is
    saved as a screenshot (in $E2E_SCREENSHOTS, or the test's temporary folder) for the CI
    logs."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test body
    # stay plain synchronous calls (Playwright's documented setting for Django tests).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    browser = _chromium.get()
    try:
        yield browser
    finally:
        _chromium.resume()
        try:
            report = getattr(request.node, "report_call", None)
            if report is not None and report.failed:
                folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
                folder.mkdir(parents=True, exist_ok=True)
                for i, context in enumerate(browser.contexts):
                    for j, page in enumerate(context.pages):
                        page.screenshot(path=folder / f"failed-{i}-{j}.png", full_page=True)
                        print(f"failed-{i}-{j}.png: {page.url}")
            for context in browser.contexts:
                context.close()
        finally:
            # The ORM calls made while Playwright's loop runs have their own connection (Django
            # keeps one per async context): close it, or the test database cannot be dropped.
            connections.close_all()
            _chromium.pause()


@pytest.fixture
def browser_page(browser):
    """A page of a fresh French browser context."""
    return browser.new_context(locale="fr-FR").new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item (the `browser` fixture reads it)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


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


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of the test's own (tests/private_redis.py), stopped at its end."""
    from .private_redis import PrivateRedis

    server = PrivateRedis(tmp_path)
    yield server
    server.stop()
