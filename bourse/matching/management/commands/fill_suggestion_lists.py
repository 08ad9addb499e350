"""Store the suggestions of every live listing now (after deploying the stored lists, or to
refresh them all at once); the periodic job matching.refresh_suggestions does the same by
chunks in the background."""

from django.core.management.base import BaseCommand

from bourse.matching.services import suggestion_lists_fill


class Command(BaseCommand):
    help = (
        "Compute the stored suggestions of live listings without a list or with a list "
        "computed before today, and delete the lists of listings that left."
    )

    def handle(self, *args, **options):
        done = suggestion_lists_fill()
        self.stdout.write(
            self.style.SUCCESS(
                f"{done['missing']} list(s) computed, {done['stale']} refreshed, "
                f"{done['deleted']} deleted."
            )
        )
