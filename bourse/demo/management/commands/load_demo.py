"""Load the demo data set (`make run` does). Idempotent: running it twice changes nothing the
second time, and it never touches a company registered by hand (bourse.demo.loader)."""

from django.core.management.base import BaseCommand

from bourse.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo data set (companies, users, moderators, listings...). Idempotent."

    def handle(self, *args, **options):
        load_demo(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
