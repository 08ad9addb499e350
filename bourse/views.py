"""Project-wide pages: home (each role's: bourse/dashboard.py), health check, privacy and
accessibility statements."""

import asyncio
import contextlib
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
def home(request):
    """Each role at home (bourse.dashboard): a member's dashboard, a waiting company's next
    steps, a moderator's queue; the public page for visitors and people without a company."""
    from accounts.permissions import membership_of, moderator_for
    from bourse import dashboard
    from bourse.listings.models import Listing

    membership = membership_of(request.user)
    if membership is not None:
        if membership.company.is_verified:
            return render(request, "home/member.html", dashboard.member_dashboard(membership))
        return render(request, "home/waiting.html", dashboard.waiting_home(membership))
    if moderator_for(request.user) is not None:
        return redirect("moderation:dashboard")
    latest = (
        Listing.objects.published()
        .select_related("category", "company")
        .prefetch_related("photos")
        .order_by("-published_at")[:6]
    )
    return render(request, "home.html", {"latest_listings": latest})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


async def _channel_layer_round_trip() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    probe = getattr(layer, "probe", None)
    if probe is not None:
        # The Redis layer's own round trip, on a channel kept per process (a new channel per
        # call stayed subscribed for good).
        if not await probe(timeout=3):
            raise RuntimeError("channel layer did not deliver")
        return
    # One event loop for the whole round trip: the pub/sub layer subscribes per loop.
    channel = await layer.new_channel()
    try:
        await layer.send(channel, {"type": "healthz"})
        message = await asyncio.wait_for(layer.receive(channel), timeout=3)
    finally:
        # The Redis pub/sub layer keeps a subscription per channel; drop ours.
        unsubscribe = getattr(layer, "unsubscribe", None)
        if unsubscribe is not None:
            with contextlib.suppress(Exception):
                await unsubscribe(channel)
    if message.get("type") != "healthz":
        raise RuntimeError("channel layer did not deliver")


def _check_channel_layer() -> None:
    async_to_sync(_channel_layer_round_trip)()


@never_cache
@require_GET
def healthz(request):
    """200 when every part answers; 503 naming the part that does not. The side-effect path's
    counts come as details (`outbox`, `scheduler`)."""
    checks = {
        "database": _check_database,
        "channel_layer": _check_channel_layer,
        "cache": _check_cache,
    }
    body, healthy = {}, True
    for name, check in checks.items():
        try:
            check()
            body[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure is reported, none is raised
            body[name] = f"error: {exc.__class__.__name__}: {exc}"[:300]
            healthy = False
    body.update(_side_effect_details())
    return JsonResponse(body, status=200 if healthy else 503)


def _side_effect_details() -> dict:
    """Details that do not change the status: the outbox's rows (waiting, failed for good...)
    and the scheduler's jobs (failing, overdue). A failed e-mail is staff's business (the admin
    retries it), not a reason to take the server out of a load balancer."""
    from bourse.core import outbox, realtime, schedule

    details = {}
    for name, read in (
        ("outbox", outbox.stats),
        ("scheduler", schedule.status),
        ("realtime", realtime.stats),
    ):
        try:
            details[name] = read()
        except Exception as exc:  # noqa: BLE001 - details never fail the check
            details[name] = f"error: {exc.__class__.__name__}: {exc}"[:300]
    return details


@require_GET
def bench_floor(request):
    """The floor of bench/http_load.py: what a request costs through the same middleware and server
    processes when the view does nothing. Routed only when settings.BENCH_FLOOR_VIEW is true."""
    return JsonResponse({"ok": True})


def not_found(request, exception):
    """404 for a URL that matches nothing: JSON under /api/ (what API clients parse), the page
    elsewhere."""
    from django.utils.translation import gettext
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Introuvable.")}, status=404)
    return page_not_found(request, exception)


def privacy(request):
    """What the exchange stores about people, why, for how long, and how to use one's rights."""
    return render(
        request,
        "legal/privacy.html",
        {
            "contact_email": settings.PRIVACY_CONTACT_EMAIL,
            "conversation_months": settings.RETENTION_CONVERSATION_MONTHS,
            "draft_months": settings.RETENTION_DRAFT_MONTHS,
            "account_months": settings.RETENTION_ACCOUNT_MONTHS,
            "notice_days": settings.RETENTION_ACCOUNT_NOTICE_DAYS,
            "listing_days": settings.LISTING_LIFETIME_DAYS,
        },
    )


def terms(request):
    """The terms of use; the version in force is a setting (accounts/terms.py asks everyone who
    accepted another one)."""
    return render(
        request,
        "legal/terms.html",
        {
            "version": settings.TERMS_VERSION,
            "contact_email": settings.PRIVACY_CONTACT_EMAIL,
            "listing_days": settings.LISTING_LIFETIME_DAYS,
        },
    )


def accessibility(request):
    """The accessibility statement (RGAA): conformity, known limits, how to report a barrier."""
    return render(
        request, "legal/accessibility.html", {"contact_email": settings.PRIVACY_CONTACT_EMAIL}
    )
