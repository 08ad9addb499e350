"""The terms of use: who has accepted the version in force, and the page that asks the others.

Everyone signing up accepts the terms (`settings.TERMS_VERSION`, stored with its date on the
user). An account that has not accepted the version in force — made by an older app client, or
the terms changed since — is sent by `terms_gate_middleware` to `/conditions-d-utilisation/
accepter/` from every web page until it accepts, except the pages one needs to decide or to
leave: the legal pages, logging out, the language switch, exporting or deleting one's account,
the unsubscribe links. The API and allauth's headless endpoints are never blocked (an app has
no page to show; it reads `terms_accepted_at` in `/api/v1/me/` and may send `terms_accepted`).
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.decorators import sync_and_async_middleware
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import services
from .forms import TermsForm

# Paths no account is ever stopped on: the APIs, files, the admin's own login screens included.
EXEMPT_PREFIXES = ("/api/", "/_allauth/", "/static/", "/media/", "/healthz")
# Pages a person who has not accepted yet may still open (URL names).
EXEMPT_URL_NAMES = {
    "terms",
    "privacy",
    "accessibility",
    "set_language",
    "account_logout",
    "account_reauthenticate",
    "accounts:terms_accept",
    "accounts:export",
    "accounts:delete",
    "accounts:unsubscribe",
}


def must_accept_terms(request, user) -> bool:
    if not user.is_authenticated or user.has_accepted_current_terms:
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False  # the 404 page, whoever asks
    return match.view_name not in EXEMPT_URL_NAMES


def _to_terms_page(request) -> HttpResponse:
    url = reverse("accounts:terms_accept")
    if request.method in ("GET", "HEAD"):
        query = QueryDict(mutable=True)
        query["next"] = request.get_full_path()
        url += "?" + query.urlencode(safe="/")
    if request.headers.get("HX-Request"):
        # htmx would swap the page into a fragment: it sends the whole window instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


@sync_and_async_middleware
def terms_gate_middleware(get_response):
    """Send a logged-in person who has not accepted the terms in force to the page that asks."""

    if iscoroutinefunction(get_response):

        async def middleware(request):
            if request.path_info.startswith(EXEMPT_PREFIXES):
                return await get_response(request)
            user = await request.auser()
            # The view reads request.user (a lazy object of its own): give it this user, so the
            # check costs no second query.
            request._cached_user = user
            if must_accept_terms(request, user):
                return _to_terms_page(request)
            return await get_response(request)

    else:

        def middleware(request):
            if not request.path_info.startswith(EXEMPT_PREFIXES) and must_accept_terms(
                request, request.user
            ):
                return _to_terms_page(request)
            return get_response(request)

    return middleware


@login_required
def accept(request):
    """The page that asks for the terms in force (and for the names an account lacks)."""
    user = request.user
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST":
        form = TermsForm(request.POST, user=user)
        if form.is_valid():
            names = {k: v for k, v in form.cleaned_data.items() if k in ("first_name", "last_name")}
            with transaction.atomic():
                if names:
                    services.user_update(user=user, **names)
                services.terms_accept(user=user)
            messages.success(request, _("Merci, vous avez accepté les conditions d'utilisation."))
            return redirect(next_url or "home")
    else:
        form = TermsForm(user=user)
    return render(
        request,
        "accounts/terms_accept.html",
        {"form": form, "next": next_url, "updated": bool(user.terms_accepted_at)},
        status=400 if form.errors else 200,
    )
