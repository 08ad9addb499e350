"""Load the demo data set. Idempotent: running it twice changes nothing the second time.

Each app contributes its part through a `demo.py` module with `load(rng, stdout)`; they run in
dependency order with one seeded random generator, so the data set is the same on every machine.
"""

import importlib
import random

from django.core import mail
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

DEMO_MODULES = [
    "accounts.demo",
    "bourse.listings.demo",
    "bourse.matching.demo",
    "messaging.demo",
]


class Command(BaseCommand):
    help = "Load the demo data set (companies, users, moderators, listings...). Idempotent."

    def handle(self, *args, **options):
        rng = random.Random(20200317)  # noqa: S311 - demo data, not security
        # The services send e-mails (verifications, invitations, matches) through the outbox
        # after commit; for demo data they run inline (whatever TASKS_BACKEND says, so no worker
        # sends them later) and are kept in memory rather than printed or sent.
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        ):
            mail.outbox = []
            for name in DEMO_MODULES:
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                with transaction.atomic():
                    module.load(rng=rng, stdout=self.stdout)
            held = len(mail.outbox)
            del mail.outbox
        if held:
            self.stdout.write(f"{held} notification e-mails of the demo data were not sent.")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
