"""Sensitive actions (deleting one's account) ask for the password again: allauth's
reauthentication, the same on the web and over the API.

Web pages use allauth's `reauthentication_required` decorator: without a password typed in the
last ACCOUNT_REAUTHENTICATION_TIMEOUT seconds, the request is set aside and the user is sent to
allauth's "confirm your password" page, then back to it.

The API answers what allauth's headless API answers for its own sensitive endpoints: 401 with
the `reauthenticate` flow. The client sends the password to
`POST /_allauth/{app|browser}/v1/auth/reauthenticate` and repeats the request. The session
allauth keeps that record in is the one the caller authenticated with: the X-Session-Token's
session (app) or the cookie's (browser).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import SimpleNamespace

from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from allauth.headless.base.response import ReauthenticationResponse
from allauth.headless.constants import Client
from allauth.headless.internal.decorators import mark_request_as_headless
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse


@contextlib.contextmanager
def _as_allauth_sees_it(request) -> Iterator[HttpRequest]:
    """The Django request of a DRF request, with the user DRF authenticated and the session
    that authenticated them (restored afterwards, as allauth's own app views do)."""
    django_request = request._request
    old_user, old_session = django_request.user, django_request.session
    app = isinstance(request.auth, SessionBase)
    try:
        django_request.user = request.user
        if app:
            django_request.session = request.auth
        if not hasattr(django_request, "allauth"):
            django_request.allauth = SimpleNamespace()
        mark_request_as_headless(django_request, Client.APP if app else Client.BROWSER)
        # Who was logged in before this request (allauth's app views record it the same way):
        # the same user, so no new session token is exposed in the answer.
        django_request.allauth.headless._pre_user = request.user
        yield django_request
    finally:
        django_request.user, django_request.session = old_user, old_session


def api_reauthentication_response(request) -> HttpResponse | None:
    """None when the caller of this DRF request typed their password recently; otherwise
    allauth's headless 401 answer naming the `reauthenticate` flow."""
    with _as_allauth_sees_it(request) as django_request:
        if did_recently_reauthenticate(django_request):
            return None
        return ReauthenticationResponse(django_request)
