"""The moderators' queues at crisis volume: oldest first, how long each item has waited, the
ones past the target delay marked, and filters by département, category and registry verdict.

Read by the queue pages (views.py); the API lists keep their own, simpler filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from bourse.geo import data as geo
from bourse.listings.crises import active_crises, target_hours
from bourse.listings.models import Category, Listing

from .permissions import scope_to_territory
from .reasons import reasons_for

# Only these statuses wait for a moderator: the others are listed, not timed.
WAITING = {Company: Company.Status.PENDING, Listing: Listing.Status.PENDING}


@dataclass
class Filters:
    """The queue's filters as chosen (empty: all) and the choices the page offers."""

    departement: str = ""
    verdict: str = ""
    category: str = ""
    departements: list[tuple[str, str]] | None = None
    verdicts: list[tuple[str, str]] | None = None
    categories: list[tuple[str, str]] | None = None

    def query(self) -> dict[str, str]:
        pairs = (
            ("departement", self.departement),
            ("verdict", self.verdict),
            ("categorie", self.category),
        )
        return {key: value for key, value in pairs if value}


def target_delay(departement: str | None = None, crises=None) -> timedelta:
    """How long an item of `departement` may wait: shorter during a crisis there."""
    return timedelta(hours=target_hours(departement, crises))


def _departement_choices(moderator) -> list[tuple[str, str]]:
    names = geo.departements()
    codes = sorted(names) if moderator.is_national else sorted(moderator.departements)
    return [(code, f"{code} {names[code].name}" if code in names else code) for code in codes]


def _territory_filters(params, moderator) -> Filters:
    choices = _departement_choices(moderator)
    departement = params.get("departement", "")
    return Filters(
        departement=departement if departement in dict(choices) else "",
        departements=choices,
    )


def company_queue(moderator, params):
    """Companies of the territory, longest waiting first, with the page's filters."""
    filters = _territory_filters(params, moderator)
    filters.verdicts = list(Company.RegistryStatus.choices)
    verdict = params.get("verdict", "")
    filters.verdict = verdict if verdict in dict(filters.verdicts) else ""
    queryset = scope_to_territory(
        Company.objects.select_related("declared_by").annotate(
            members_count=Count("memberships"),
            waiting_since=Coalesce(F("status_changed_at"), F("created_at")),
        ),
        moderator,
    )
    if filters.departement:
        queryset = queryset.filter(departement=filters.departement)
    if filters.verdict:
        queryset = queryset.filter(registry_status=filters.verdict)
    return queryset.order_by("waiting_since", "pk"), filters


def listing_queue(moderator, params):
    """Listings of the territory, longest waiting first (a listing waits from its submission,
    its last change), with the page's filters; a parent category includes its children."""
    filters = _territory_filters(params, moderator)
    categories = Category.objects.select_related("parent").order_by("parent__name", "name")
    filters.categories = [
        (c.slug, f"{c.parent.name} › {c.name}" if c.parent else c.name) for c in categories
    ]
    category = params.get("categorie", "")
    filters.category = category if category in dict(filters.categories) else ""
    queryset = scope_to_territory(
        Listing.objects.select_related("company", "category", "category__parent")
        .prefetch_related("photos")
        .annotate(waiting_since=F("updated_at")),
        moderator,
    )
    if filters.departement:
        queryset = queryset.filter(departement=filters.departement)
    if filters.category:
        queryset = queryset.filter(
            Q(category__slug=filters.category) | Q(category__parent__slug=filters.category)
        )
    return queryset.order_by("waiting_since", "pk"), filters


def mark_waiting(objects, now=None) -> None:
    """`waiting` (a timedelta) on each item that waits for a moderator, and `overdue` when it
    has waited longer than the target delay of its département (`target_hours`:
    MODERATION_TARGET_HOURS, or CRISIS_MODERATION_TARGET_HOURS during a crisis there)."""
    now = now or timezone.now()
    crises = active_crises(now)
    for obj in objects:
        waits = WAITING.get(type(obj)) == obj.status
        obj.target_hours = target_hours(obj.departement, crises)
        obj.waiting = now - obj.waiting_since if waits else None
        obj.overdue = bool(waits and obj.waiting > timedelta(hours=obj.target_hours))


def reason_choices(target: str, actions: dict) -> list[tuple[str, list[tuple[int, str]]]]:
    """The common reasons of each action that needs one, grouped for a <select>."""
    groups = []
    for action, label in actions.items():
        reasons = [(r.pk, r.text) for r in reasons_for(target, action)]
        if reasons:
            groups.append((str(label), reasons))
    return groups


def waited(delta: timedelta) -> str:
    """ "3 j 4 h", "5 h 12 min", "8 min": a waiting time at a glance, in French."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d j %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}
