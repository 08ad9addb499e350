"""List the companies whose phone is not stored E.164: numbers typed before company phones were
checked that are no French number (accounts/migrations/0013 kept them as they were)."""

from django.core.management.base import BaseCommand

from accounts.queries import companies_with_unchecked_phones


class Command(BaseCommand):
    help = (
        "List companies whose phone number is kept as typed because it is not a French number "
        "(id, département, name, number), for staff or the company to correct."
    )

    def handle(self, *args, **options):
        companies = companies_with_unchecked_phones()
        for company in companies:
            self.stdout.write(
                f"{company.pk}\t{company.departement}\t{company.name}\t{company.phone}"
            )
        self.stdout.write(f"{len(companies)} company phone number(s) to correct.")
