"""The messaging tests' servers: tests.live_server processes sharing one database and Redis.

The database is a copy of the run's migrated template (tests.live_server.migrated_database),
seeded by a subprocess with the servers' own environment (rows from tests.factories, the
conversation through the service), so the servers see exactly what was seeded.
"""

import contextlib
import json
import subprocess
from pathlib import Path

from django.conf import settings

from tests.live_server import PYTHON, ROOT, Server, base_env, migrated_database

__all__ = ["Server"]


def live_database(tmp_path: Path):
    """A DATABASE_URL of a fresh migrated database, dropped afterwards."""
    return migrated_database(tmp_path, "live")


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
from messaging import services
from tests import factories

a = factories.CompanyFactory(name="Alpha Logistique")
b = factories.CompanyFactory(name="Beta Industrie")
owner = factories.MembershipFactory(company=a, user__email="owner@alpha.fr").user
writer = factories.MembershipFactory(company=b, user__email="writer@beta.fr").user
listing = factories.ListingFactory(company=a, title="Entrepôt sec 200 m²", terms="rent")
conversation, _ = services.conversation_start(listing=listing, by=writer, body="Bonjour")
# For the live inbox: another listing of Alpha, and a company with no conversation yet.
second = factories.ListingFactory(company=a, title="Chariot élévateur 2,5 t", kind="offer")
c = factories.CompanyFactory(name="Gamma Services")
newcomer = factories.MembershipFactory(company=c, user__email="newcomer@gamma.fr").user
third = factories.ListingFactory(company=c, title="Besoin de palettes Europe", kind="need")
print(json.dumps({"conversation": conversation.pk, "owner": owner.email, "writer": writer.email,
                  "owner_company": a.pk, "writer_company": b.pk, "second_listing": second.pk,
                  "newcomer": newcomer.email, "newcomer_listing": third.pk}))
"""


def prepare(env: dict) -> dict:
    """Seed the live database; returns ids and e-mails."""
    out = subprocess.run(
        [PYTHON, "-c", SEED],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def seeded_server(tmp_path: Path, **extra: str):
    """One server on a fresh, seeded database: yields (server, seed, its environment)."""
    with live_database(tmp_path) as database_url:
        env = server_env(database_url, **extra)
        seed = prepare(env)
        server = Server(env, tmp_path / "server.log")
        try:
            yield server, seed, env
        finally:
            server.stop()
