"""Mark published listings past their expiry as expired, now (the scheduler does it every 15
minutes: bourse/listings/jobs.py).

Expired listings have already left the exchange at their expiry (Listing.objects.published()
filters on expires_at); this job makes their status say so and tells their companies.
"""

from django.core.management.base import BaseCommand

from bourse.listings.services import expire_listings


class Command(BaseCommand):
    help = "Mark published listings past their expiry date as expired."

    def handle(self, *args, **options):
        count = expire_listings()
        if options["verbosity"]:
            self.stdout.write(f"{count} annonce(s) expirée(s).")
