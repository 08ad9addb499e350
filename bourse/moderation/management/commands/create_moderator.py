"""Create or promote a moderator: `create_moderator EMAIL --departements 69,42` or `--national`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bourse.moderation.services import moderator_create_or_update


class Command(BaseCommand):
    help = (
        "Create a moderator (the user too, when absent) or update an existing one's territory. "
        "Prints the generated password of a new user unless --password is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument(
            "--departements", help="comma-separated département codes, e.g. 69,42,2A,971"
        )
        scope.add_argument("--national", action="store_true", help="covers every département")
        parser.add_argument("--password", help="password for a new user (or a new one)")

    def handle(self, *args, email, departements, national, password, **options):
        codes = [] if national else departements.split(",")
        try:
            result = moderator_create_or_update(
                email=email, departements=codes, national=national, password=password
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        moderator = result.moderator
        scope = "national" if moderator.is_national else ", ".join(moderator.departements)
        verb = "Created" if result.user_created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} moderator {moderator.user.email} ({scope})"))
        if result.password:
            self.stdout.write(f"Password: {result.password}")
