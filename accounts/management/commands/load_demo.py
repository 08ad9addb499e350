"""Load the demo data set. Idempotent: running it twice changes nothing the second time.

Each app contributes its part through a `demo.py` module with `load(rng, stdout)`; they run in
dependency order with one seeded random generator, so the data set is the same on every machine.
"""

import importlib
import random

from django.core.management.base import BaseCommand
from django.db import transaction

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
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            with transaction.atomic():
                module.load(rng=rng, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
