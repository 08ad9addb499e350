"""Crisis mode of a territory: the model and what the exchange reads of it.

A CCI moderator opens a `Crisis` for some départements (a flood, a lockdown, a plant closing):
a title and a message shown to the companies of those départements, a start (possibly later:
a scheduled crisis starts itself, nothing has to run), an optional end, and the categories
whose needs come first. While a crisis is active:

- needs of its priority categories located in its départements are pinned first in search and
  in suggestions, when the search's area or the suggested-for listing lies in one of its
  départements (`pin_for`; bourse.listings.search.pinning, bourse.matching.queries);
- a listing published or renewed there stays online CRISIS_LISTING_LIFETIME_DAYS instead of
  LISTING_LIFETIME_DAYS (`lifetime_days`; the date given is kept after the crisis ends);
- the moderators' approval target delay there is CRISIS_MODERATION_TARGET_HOURS instead of
  MODERATION_TARGET_HOURS (`target_hours`).

Closing it (or reaching its end) ends all of that at once: everything here is computed from the
crises active *now*, never stored on listings. The model lives in the listings app because
search and matching read it (they sit below moderation); moderation owns its API, pages and
audit (bourse/moderation/crises.py). This module imports nothing of listings.models, which
imports it.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NEED = "need"  # listings.models.Kind.NEED (not imported: listings.models imports this module)


class CrisisQuerySet(models.QuerySet):
    def active(self, now: datetime.datetime | None = None):
        """Started, not closed, not past its end."""
        now = now or timezone.now()
        return self.not_over(now).filter(starts_at__lte=now)

    def not_over(self, now: datetime.datetime | None = None):
        """Scheduled or active: not closed, not past its end."""
        now = now or timezone.now()
        return self.filter(closed_at__isnull=True).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )

    def touching(self, departements: list[str] | None):
        """Crises that cover at least one of `departements` (None: all of them). Read in
        Python: there are a handful of crises, and a JSON list is searched differently by
        each database."""
        if departements is None:
            return list(self)
        wanted = set(departements)
        return [crisis for crisis in self if wanted & set(crisis.departements)]


class Crisis(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("programmée")
        ACTIVE = "active", _("en cours")
        ENDED = "ended", _("terminée")
        CLOSED = "closed", _("clôturée")

    title = models.CharField(_("titre"), max_length=120)
    message = models.TextField(_("message aux entreprises"), max_length=2000)
    departements = models.JSONField(_("départements"), default=list)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin prévue"), null=True, blank=True)
    priority_categories = models.ManyToManyField(
        "listings.Category",
        blank=True,
        related_name="+",
        verbose_name=_("catégories prioritaires"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept when the account is deleted: the audit of a scheduled start or end names them.
    opened_by_email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Whether the audit log holds the start of a scheduled crisis and the end of one that
    # reached its `ends_at` (written once by the moderation job).
    start_recorded = models.BooleanField(default=False)
    end_recorded = models.BooleanField(default=False)

    objects = CrisisQuerySet.as_manager()

    class Meta:
        verbose_name = _("crise")
        verbose_name_plural = _("crises")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="crisis_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def status_at(self, now: datetime.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.closed_at is not None:
            return self.Status.CLOSED
        if self.ends_at is not None and self.ends_at <= now:
            return self.Status.ENDED
        if self.starts_at > now:
            return self.Status.SCHEDULED
        return self.Status.ACTIVE

    @property
    def status(self) -> str:
        return self.status_at()

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def is_over(self) -> bool:
        return self.status in (self.Status.CLOSED, self.Status.ENDED)

    def covers(self, departement: str) -> bool:
        return departement in self.departements


# --- What the exchange reads: the crises not over yet, cached --------------------------------
# Every page of a member shows the banner, every search and publication asks for pins and
# lifetimes: the crises not over yet (a handful) are read once and kept in the cache for
# CACHE_SECONDS; whether each is active is decided at each read from its dates, so a scheduled
# crisis starts and an ended one stops on time. Opening or closing one forgets the cache
# (`forget`); other server processes see it within CACHE_SECONDS at worst (locmem cache).

CACHE_KEY = "listings.crises.current"
CACHE_SECONDS = 60
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CurrentCrisis:
    """What the exchange needs of a crisis that is not over, detached from the database."""

    id: int
    title: str
    message: str
    departements: frozenset[str]
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    category_ids: frozenset[int]  # priority categories, a parent's children included

    def is_active(self, now: datetime.datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)

    def covers(self, departement: str) -> bool:
        return departement in self.departements


def _load() -> tuple[CurrentCrisis, ...]:
    now = timezone.now()
    rows = list(
        Crisis.objects.not_over(now)
        .prefetch_related("priority_categories")
        .order_by("starts_at", "id")
    )
    if not rows:
        return ()
    categories = {c.pk: c for crisis in rows for c in crisis.priority_categories.all()}
    children: dict[int, set[int]] = {}
    parents = [pk for pk, c in categories.items() if c.parent_id is None]
    if parents:
        model = Crisis.priority_categories.field.related_model
        for pk, parent_id in model.objects.filter(parent_id__in=parents).values_list(
            "pk", "parent_id"
        ):
            children.setdefault(parent_id, set()).add(pk)
    return tuple(
        CurrentCrisis(
            id=crisis.pk,
            title=crisis.title,
            message=crisis.message,
            departements=frozenset(crisis.departements),
            starts_at=crisis.starts_at,
            ends_at=crisis.ends_at,
            category_ids=frozenset(
                pk
                for c in crisis.priority_categories.all()
                for pk in (c.pk, *children.get(c.pk, ()))
            ),
        )
        for crisis in rows
    )


def _current() -> tuple[CurrentCrisis, ...]:
    try:
        found = cache.get(CACHE_KEY)
    except Exception:  # noqa: BLE001 - the cache (Redis) down: read the database
        logger.warning("crises: cache unavailable, reading the database", exc_info=True)
        return _load()
    if found is None:
        found = _load()
        try:
            cache.set(CACHE_KEY, found, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("crises: cache unavailable", exc_info=True)
    return found


def forget() -> None:
    """Called by the services that open or close a crisis, now and after commit."""

    def delete() -> None:
        try:
            cache.delete(CACHE_KEY)
        except Exception:  # noqa: BLE001
            logger.warning("crises: cache unavailable", exc_info=True)

    delete()
    transaction.on_commit(delete)


def active_crises(now: datetime.datetime | None = None) -> list[CurrentCrisis]:
    now = now or timezone.now()
    return [crisis for crisis in _current() if crisis.is_active(now)]


def covering(
    departement: str | None, crises: list[CurrentCrisis] | None = None
) -> list[CurrentCrisis]:
    """The active crises (or those of `crises`) covering `departement`."""
    if not departement:
        return []
    if crises is None:
        crises = active_crises()
    return [crisis for crisis in crises if crisis.covers(departement)]


@dataclass(frozen=True)
class Pin:
    """Which listings come first: needs of these categories located in these départements,
    one (categories, départements) pair per active crisis of the area."""

    rules: tuple[tuple[frozenset[int], frozenset[str]], ...]

    def q(self) -> Q:
        """As a filter on the listings table alone (no join: the search compiles it)."""
        either = Q()
        for category_ids, departements in self.rules:
            either |= Q(category_id__in=sorted(category_ids), departement__in=sorted(departements))
        return Q(kind=NEED) & either

    def matches(self, listing) -> bool:
        return listing.kind == NEED and any(
            listing.category_id in category_ids and listing.departement in departements
            for category_ids, departements in self.rules
        )


def pin_for(departement: str | None, crises: list[CurrentCrisis] | None = None) -> Pin | None:
    """What to pin first for a search or suggestions made in `departement`: the needs of the
    priority categories (a parent category brings its children) of every active crisis covering
    it, in that crisis's départements. None when no crisis covers it or none has a category.
    Pass the active crises when deciding for several départements (one read of the cache)."""
    rules = tuple(
        (crisis.category_ids, crisis.departements)
        for crisis in covering(departement, crises)
        if crisis.category_ids
    )
    return Pin(rules) if rules else None


def lifetime_days(departement: str | None) -> int:
    """How many days a listing published or renewed in `departement` now stays online."""
    days = settings.LISTING_LIFETIME_DAYS
    if departement and covering(departement):
        days = max(days, settings.CRISIS_LISTING_LIFETIME_DAYS)
    return days


def target_hours(departement: str | None, crises: list[CurrentCrisis] | None = None) -> int:
    """The moderators' approval target delay for an item of `departement` (pass the active
    crises when deciding for a whole page)."""
    hours = settings.MODERATION_TARGET_HOURS
    if covering(departement, crises):
        hours = min(hours, settings.CRISIS_MODERATION_TARGET_HOURS)
    return hours
