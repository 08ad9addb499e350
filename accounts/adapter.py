"""allauth adapter: our users have no username; French e-mails; invitations accepted on login."""

from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext


@dataclass(frozen=True)
class SiteInfo:
    """What allauth's e-mails call the site (django.contrib.sites is not installed)."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {
            "current_site": SiteInfo(
                name=gettext("Bourse d'entraide"), domain=settings.SITE_URL.split("://")[-1]
            ),
            "site_url": settings.SITE_URL,
            "email": email,
            **context,
        }
        super().send_mail(template_prefix, email, context)

    def get_signup_redirect_url(self, request):
        """After signup (and its e-mail code), "my company": it leads to a pending invitation or
        to the form that declares the company, the two ways to start."""
        return reverse("accounts:company")

    def get_login_redirect_url(self, request):
        """A newcomer with a pending invitation lands on it, whatever page they came from:
        the invitation link's `next` is lost when signup goes through e-mail verification."""
        from .queries import pending_invitations_for

        user = request.user
        if user.is_authenticated and user.membership_or_none is None:
            invitation = pending_invitations_for(user).first()
            if invitation is not None:
                return reverse("accounts:invitation", args=[invitation.token])
        return super().get_login_redirect_url(request)
