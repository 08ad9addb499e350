"""Backups as docs/deployment.md ("Backups and restore") says to take and restore them:
pg_dump of the database and an archive of MEDIA_ROOT, restored into a new database and a new
media folder after the original is gone; the application started on them serves the listing
and its photo."""

import io
import json
import shutil
import subprocess
import sys
import tarfile
import urllib.request

import pytest

from tests.live_server import ROOT, Server, base_env, migrated_database, throwaway_database

pytestmark = pytest.mark.postgres

SEED = r"""
import io, json
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from accounts.models import Company
from bourse.listings.models import Category, Listing
from bourse.listings.photos import store_photo

now = timezone.now()
company = Company.objects.create(
    name="Sauvegardes SA", siret="73282932000074", siren="732829320", address="2 rue du Port",
    postal_code="69002", commune="Lyon", departement="69", latitude=45.75, longitude=4.83,
    status="verified", status_changed_at=now)
listing = Listing.objects.create(
    company=company, kind="offer", title="Palettes restaurées", description="Après sauvegarde.",
    category=Category.objects.filter(parent__isnull=False).order_by("pk").first(),
    terms="free", status="published", published_at=now,
    expires_at=now + timezone.timedelta(days=30),
    postal_code="69002", commune="Lyon", departement="69", latitude=45.75, longitude=4.83)
buffer = io.BytesIO()
Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "JPEG")
photo = store_photo(listing=listing, upload=SimpleUploadedFile(
    "palettes.jpg", buffer.getvalue(), content_type="image/jpeg"))
print(json.dumps({"listing": listing.pk, "image": photo.image.name}))
"""


def _env(database_url, media_dir):
    return base_env(
        database_url,
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_MANIFEST="false",
        MEDIA_ROOT=str(media_dir),
        SERVE_MEDIA="true",
        TASKS_BACKEND="immediate",
    )


def _run(args, env=None):
    done = subprocess.run(  # noqa: S603 - pg tools and our manage.py
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_pg_dump_and_media_archive_restore_into_a_new_database_that_the_app_serves(tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("needs pg_dump and pg_restore (postgresql-client)")
    dump, archive = tmp_path / "bourse.dump", tmp_path / "media.tar.gz"
    source_media, restored_media = tmp_path / "media", tmp_path / "media-restored"

    with migrated_database(tmp_path, "backup_source") as source:
        env = _env(source, source_media)
        seeded = json.loads(_run([sys.executable, "-c", SEED], env).strip().splitlines()[-1])
        # The backup, as the documentation gives it.
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source])
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(source_media, arcname=".")
    # The source database is dropped and its media folder gone: only the backup remains.
    shutil.rmtree(source_media)

    with throwaway_database(tmp_path, "backup_restored") as restored:
        _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)])
        with tarfile.open(archive) as tar:
            tar.extractall(restored_media, filter="data")
        env = _env(restored, restored_media)
        # Nothing left to migrate: the restored schema is the code's.
        assert "No planned migration operations" in _run(
            [sys.executable, "manage.py", "migrate", "--plan"], env
        )
        server = Server(env, tmp_path / "server.log")
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(f"{server.base}/annonces/{seeded['listing']}/", timeout=10) as r:
                assert r.status == 200
                assert "Palettes restaurées" in r.read().decode()
            status, body = server.get_json("/api/v1/listings/?q=palettes")
            assert status == 200 and [x["id"] for x in body["results"]] == [seeded["listing"]]
            with opener.open(f"{server.base}/media/{seeded['image']}", timeout=10) as r:
                assert r.status == 200
                from PIL import Image

                assert Image.open(io.BytesIO(r.read())).format == "JPEG"
        finally:
            server.stop()
