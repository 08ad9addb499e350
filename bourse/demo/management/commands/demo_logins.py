"""Print the demo accounts to log in with (`make run` shows them before starting the server)."""

from django.core.management.base import BaseCommand
from django.db.models import Q

from accounts.models import User
from bourse.demo.companies import (
    DEMO_PASSWORD,
    EASY_LOGINS,
    NATIONAL_MODERATOR,
    REGIONAL_MODERATOR,
    SUPERUSER_EMAIL,
)


class Command(BaseCommand):
    help = "Print the demo logins (company members, moderators, Django admin) and the password."

    def handle(self, *args, **options):
        emails = [email for email, *_ in EASY_LOGINS]
        users = {
            u.email: u
            for u in User.objects.filter(
                Q(email__in=emails)
                | Q(email__in=[REGIONAL_MODERATOR[0], NATIONAL_MODERATOR, SUPERUSER_EMAIL])
            ).select_related("membership__company", "moderator")
        }
        if not users:
            self.stdout.write("No demo accounts: run `python manage.py load_demo` first.")
            return
        out = self.stdout.write
        out("")
        out(f"Demo accounts — password for all: {DEMO_PASSWORD}")
        out("")
        out("  Company members")
        for email in emails:
            user = users.get(email)
            if user is None:
                continue
            membership = user.membership_or_none
            if membership is None:
                out(f"    {email:38} (no company)")
                continue
            company = membership.company
            out(
                f"    {email:38} {company.name[:34]:34} {company.commune[:22]:22} "
                f"{company.get_status_display()} · {membership.get_role_display()}"
            )
        out("")
        out("  Moderators (CCI advisors)")
        for email, scope in (
            (REGIONAL_MODERATOR[0], "Rhône (69) et Loire (42)"),
            (NATIONAL_MODERATOR, "national"),
        ):
            if email in users:
                out(f"    {email:38} {scope}")
        if SUPERUSER_EMAIL in users:
            out("")
            out(f"  Django admin (/admin/): {SUPERUSER_EMAIL}")
        out("")
