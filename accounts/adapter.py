"""allauth adapter: our users have no username; French e-mails; invitations accepted on login."""

import math
import time
import uuid
from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import ratelimit
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

    def save_user(self, request, user, form, commit=True):
        """A new account from the sign-up (page or app API): allauth sets the e-mail, names and
        password; the job title, the phone (already normalised by the form) and the acceptance
        of the terms in force are set here so the row is written once, complete."""
        from .services import terms_acceptance

        data = form.cleaned_data
        user.job_title = data.get("job_title", "")
        user.phone = data.get("phone", "")
        if data.get("terms_accepted"):
            for field, value in terms_acceptance().items():
                setattr(user, field, value)
        return super().save_user(request, user, form, commit=commit)

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

    # --- Failed logins: a lockout per (account, IP), answered with 429 ----------------------

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth counts failed logins per key, and its key is the account: five failures
        from anywhere would lock the account for everyone, its owner included. Ours is the
        account *and* the client IP, so the failures of someone else elsewhere never lock the
        owner out; the per-IP limit (10 a minute) still stops one source trying many
        accounts. (allauth 65's hook; it also serves the reset of the count after a password
        reset, for that IP.)"""
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"

    def pre_authenticate(self, request, **credentials) -> None:
        """allauth refuses a rate-limited login with a 400 form error; the API contract wants
        429 with Retry-After, on the page as in the app API."""
        cache_key = self._get_login_attempts_cache_key(request, **credentials)
        self._login_failed_rl_usage = ratelimit.consume(
            request, app="allauth.account", action="login_failed", key=cache_key
        )
        if not self._login_failed_rl_usage:
            raise ImmediateHttpResponse(
                too_many_logins_response(request, login_failed_wait(request, cache_key))
            )


def login_failed_wait(request, cache_key: str) -> int:
    """Seconds until the oldest counted failure leaves the window that refused the login."""
    from django.core.cache import cache

    now = time.time()
    waits = []
    for rate in ratelimit.get_rates(app="allauth.account", action="login_failed"):
        cache_name = ratelimit.get_cache_key(
            request, app="allauth.account", action="login_failed", rate=rate, key=cache_key
        )
        history = cache.get(cache_name, [])  # newest first
        recent = [ts for ts in history if ts > now - rate.duration]
        if len(recent) >= rate.amount:
            waits.append(recent[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(max(waits, default=60)))


def too_many_logins_response(request, wait: int):
    if hasattr(getattr(request, "allauth", None), "headless"):
        from allauth.headless.base.response import RateLimitResponse

        response = RateLimitResponse(request)
    else:
        from django.shortcuts import render

        response = render(request, "429.html", {"retry_after": wait, "login": True}, status=429)
    response["Retry-After"] = str(wait)
    return response
