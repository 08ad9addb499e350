"""The messaging tests' servers: tests.live_server processes sharing one database and Redis.

The database is migrated and seeded by a subprocess with the servers' own environment, so the
servers see exactly what was seeded.
"""

import json
import subprocess
from pathlib import Path

from django.conf import settings

from tests.live_server import PASSWORD, PYTHON, ROOT, Server, base_env, throwaway_database

__all__ = ["Server"]


def live_database(tmp_path: Path):
    """A DATABASE_URL of a fresh database, dropped afterwards."""
    return throwaway_database(tmp_path, "live")


def server_env(database_url: str, **extra: str) -> dict:
    return base_env(
        database_url,
        **{
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "STATIC_MANIFEST": "false",
            "REDIS_URL": settings.REDIS_URL,
            **extra,
        },
    )


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
