"""allauth adapter: our users have no username; French e-mails; invitations accepted on login."""

import uuid
from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext

from bourse.core.outbox import send_rendered_email


@dataclass(frozen=True)
class SiteInfo:
    """What allauth's e-mails call the site (django.contrib.sites is not installed)."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails (the signup code, password reset...) leave through the outbox like
        every other: rendered now, in the language of the request that asked for them, stored
        in this request's transaction and sent after commit with retries, so a signup or a
        reset never fails because SMTP is down. Their text holds a code or a link: the outbox
        keeps it only until it is sent."""
        context = {
            "request": allauth_context.request,
            "current_site": SiteInfo(
                name=gettext("Bourse d'entraide"), domain=settings.SITE_URL.split("://")[-1]
            ),
            "site_url": settings.SITE_URL,
            "email": email,
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        body, html = message.body, ""
        if getattr(message, "content_subtype", "plain") == "html":
            body, html = strip_tags(message.body), message.body
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        send_rendered_email(
            key=f"allauth:{template_prefix}:{uuid.uuid4().hex}",
            to=email,
            subject=message.subject,
            body=body,
            html=html,
            sensitive=True,
        )

    def get_signup_redirect_url(self, request):
        """After signup (and its e-mail code), "my company": it leads to a pending invitation or
        to the form that declares the company, the two ways to start."""
        return reverse("accounts:company")

    def get_login_redirect_url(self, request):
        """A moderator lands on their dashboard. A newcomer with a pending invitation lands on
        it, whatever page they came from: the invitation link's `next` is lost when signup goes
        through e-mail verification. (An explicit `next` still wins: allauth asks this only
        without one.)"""
        from .permissions import moderator_for
        from .queries import pending_invitations_for

        user = request.user
        if user.is_authenticated and moderator_for(user) is not None:
            return reverse("moderation:dashboard")
        if user.is_authenticated and user.membership_or_none is None:
            invitation = pending_invitations_for(user).first()
            if invitation is not None:
                return reverse("accounts:invitation", args=[invitation.token])
        return super().get_login_redirect_url(request)
