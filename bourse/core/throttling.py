"""Limits on writes: per user and per company, for the API (DRF throttles) and the pages
(`write_throttle_middleware`), counted in the cache (Redis in production, so every process shares
them). Reads are never throttled here.

- `UserWriteThrottle` (scope `writes_user`): every POST, PUT, PATCH and DELETE of one user;
  anonymous writes count per client IP (they are refused anyway, cheaply).
- `CompanyWriteThrottle` (scope `writes_company`): the same writes, added up over every member of
  the caller's company, so that ten accounts of one company do not get ten times the budget.
- `PhotoUploadThrottle` (scope `photo_uploads`): photo uploads per user, the costliest write
  (decoding an image), on the photo view alone.

Rates are `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (settings, from the environment). A refused
request answers 429 with `Retry-After` (seconds): JSON `{"detail"}` in the API (through
`bourse.core.errors.api_exception_handler`), a French page elsewhere (templates/429.html).
"""

from __future__ import annotations

import logging
import math

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.shortcuts import render
from django.utils.decorators import sync_and_async_middleware
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class _WriteThrottle(SimpleRateThrottle):
    """Counts unsafe requests only."""

    def get_rate(self) -> str | None:
        # Read at each request (DRF binds the rates when the module loads), so that a changed
        # setting applies at once.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - the cache (Redis) down: let the write through
            # A limit that cannot be counted must not turn every write into a 500 (a chat line
            # sent while Redis restarts is stored and answered 201).
            logger.warning("write throttle %s skipped: no cache", self.scope, exc_info=True)
            return True

    def ident_of(self, request) -> str | None:
        """Whom this budget counts (a user, a company...), or None for a request it does not
        count. Every concrete throttle below says it; the base class counts nobody."""
        return None

    def get_cache_key(self, request, view) -> str | None:
        ident = self.ident_of(request)
        if ident is None:
            return None  # not counted by this throttle
        return self.cache_format % {"scope": self.scope, "ident": ident}


class UserWriteThrottle(_WriteThrottle):
    scope = "writes_user"

    def ident_of(self, request) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"u{user.pk}"
        return f"ip{self.get_ident(request)}"


class CompanyWriteThrottle(_WriteThrottle):
    scope = "writes_company"

    def ident_of(self, request) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        membership = getattr(user, "membership_or_none", None)
        return None if membership is None else f"c{membership.company_id}"


class PhotoUploadThrottle(UserWriteThrottle):
    scope = "photo_uploads"


WRITE_THROTTLES = (UserWriteThrottle, CompanyWriteThrottle)


def retry_after(wait: float | None) -> int:
    """Seconds to announce in `Retry-After`: at least 1, rounded up."""
    return max(1, math.ceil(wait or 1))


def refused_wait(request) -> float | None:
    """None when the page write may go on; else the seconds to wait (the longest refusal)."""
    waits = []
    for throttle_class in WRITE_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or 1)
    return max(waits) if waits else None


def too_many_requests_page(request, wait: float | None):
    seconds = retry_after(wait)
    response = render(request, "429.html", {"retry_after": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _throttled_by_the_api(path: str) -> bool:
    # The API counts its writes itself (DRF throttles); allauth has its own limits; the admin
    # is staff's.
    return path.startswith(("/api/", "/_allauth/", "/admin/"))


@sync_and_async_middleware
def write_throttle_middleware(get_response):
    """The same write budgets for the French pages' forms: a refused POST gets the 429 page."""

    def check(request):
        if request.method in SAFE_METHODS or _throttled_by_the_api(request.path):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        wait = refused_wait(request)
        return None if wait is None else too_many_requests_page(request, wait)

    if iscoroutinefunction(get_response):

        async def middleware(request):
            if request.method in SAFE_METHODS:
                return await get_response(request)
            refused = await sync_to_async(check)(request)
            return refused if refused is not None else await get_response(request)

    else:

        def middleware(request):
            refused = check(request)
            return refused if refused is not None else get_response(request)

    return middleware
