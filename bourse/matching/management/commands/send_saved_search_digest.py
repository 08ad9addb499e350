"""Daily: e-mail each company the new listings that fit its saved searches (each one once)."""

from django.core.management.base import BaseCommand

from bourse.matching.services import saved_search_digest_send


class Command(BaseCommand):
    help = "E-mail each company the saved-search hits since its last digest (run daily)."

    def handle(self, *args, **options):
        sent = saved_search_digest_send()
        self.stdout.write(self.style.SUCCESS(f"Digest sent to {sent} company(ies)."))
