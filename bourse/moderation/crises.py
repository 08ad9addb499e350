"""Crisis mode: a moderator opens and closes a territory's crisis; every step is audited.

The model and its effects on the exchange (pinned needs, longer listing lifetime, shorter
approval delay) are in bourse/listings/crises.py; here are the writes. Each step writes one
audit entry per département of the crisis (so each territory's log shows it):
`crisis.open` (by the moderator; a crisis starting at once needs no other entry),
`crisis.start` (a scheduled crisis reaching its start), `crisis.end` (its end date reached),
`crisis.close` (a moderator closed it). The start and end entries are written by the job
`moderation.crisis_steps` on behalf of the moderator who opened the crisis: the crisis itself
starts and ends by its dates whether the job has run or not.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Moderator, User
from bourse.core.errors import ServiceError
from bourse.core.text import validate_single_line, validate_text
from bourse.listings import crises as listing_crises
from bourse.listings.models import Category, Crisis

from .models import AuditLogEntry
from .services import normalize_departements


def _record(crisis: Crisis, action: str, *, by: User | None, data: dict | None = None) -> None:
    for departement in crisis.departements:
        AuditLogEntry.objects.record(
            actor=by,
            actor_email=crisis.opened_by_email,
            action=action,
            target_type="crisis",
            target_id=crisis.pk,
            departement=departement,
            reason=crisis.title,
            data=data,
        )


def _categories(slugs: list[str]) -> list[Category]:
    wanted = list(dict.fromkeys(slug.strip() for slug in slugs if slug.strip()))
    found = {c.slug: c for c in Category.objects.filter(slug__in=wanted)}
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        raise ServiceError(
            {
                "priority_categories": [
                    _("Catégorie inconnue : %(slugs)s.") % {"slugs": ", ".join(unknown)}
                ]
            }
        )
    return [found[slug] for slug in wanted]


@transaction.atomic
def crisis_open(
    *,
    by: User,
    moderator: Moderator,
    title: str,
    message: str,
    departements: list[str],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    priority_categories: list[str] | tuple[str, ...] = (),
) -> Crisis:
    """Open a crisis for some départements of the moderator's territory (any for a national
    moderator). It is active from `starts_at` (now or later) until `ends_at` or its closing."""
    errors: dict[str, list[str]] = {}
    for name, value, check in (
        ("title", title, validate_single_line),
        ("message", message, validate_text),
    ):
        try:
            if not value or not value.strip():
                raise ValidationError(_("Ce champ est obligatoire."))
            check(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    codes: list[str] = []
    try:
        codes = normalize_departements(departements)
    except ServiceError as exc:
        errors.update(exc.message_dict)
    if not codes and "departements" not in errors:
        errors["departements"] = [_("Indiquez au moins un département.")]
    elif not moderator.is_national:
        outside = [code for code in codes if code not in moderator.departements]
        if outside:
            errors["departements"] = [
                _("Hors de votre territoire : %(codes)s.") % {"codes": ", ".join(outside)}
            ]
    now = timezone.now()
    if ends_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = [_("La fin doit suivre le début.")]
        elif ends_at <= now:
            errors["ends_at"] = [_("La fin est déjà passée.")]
    try:
        categories = _categories(list(priority_categories))
    except ServiceError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ServiceError(errors)
    crisis = Crisis.objects.create(
        title=title.strip(),
        message=message.strip(),
        departements=codes,
        starts_at=starts_at,
        ends_at=ends_at,
        opened_by=by,
        opened_by_email=by.email,
        # A crisis starting now is started by its opening (no separate entry).
        start_recorded=starts_at <= now,
    )
    crisis.priority_categories.set(categories)
    listing_crises.forget()
    _record(
        crisis,
        AuditLogEntry.Action.CRISIS_OPEN,
        by=by,
        data={
            "departements": codes,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat() if ends_at else None,
            "priority_categories": [c.slug for c in categories],
        },
    )
    return crisis


@transaction.atomic
def crisis_close(*, crisis: Crisis, by: User) -> Crisis:
    """Close a scheduled or active crisis now: its banner, pins and delays end at once."""
    locked = Crisis.objects.select_for_update().get(pk=crisis.pk)
    if locked.is_over:
        raise ServiceError(
            _("Cette crise est déjà terminée (%(status)s).")
            % {"status": locked.get_status_display()},
            field="non_field_errors",
        )
    was = locked.status
    locked.closed_at = timezone.now()
    locked.closed_by = by
    locked.save(update_fields=["closed_at", "closed_by"])
    listing_crises.forget()
    _record(locked, AuditLogEntry.Action.CRISIS_CLOSE, by=by, data={"was": was})
    return locked


def crisis_steps_record(*, now: datetime.datetime | None = None) -> int:
    """Audit the scheduled starts and the ends by date that happened since the last run, once
    each (`start_recorded`, `end_recorded`). Idempotent. Returns how many entries groups were
    written (one per crisis and step)."""
    now = now or timezone.now()
    written = 0
    due = Crisis.objects.filter(closed_at__isnull=True).filter(
        start_recorded=False, starts_at__lte=now
    ) | Crisis.objects.filter(closed_at__isnull=True, end_recorded=False, ends_at__lte=now)
    for pk in due.order_by("pk").values_list("pk", flat=True).distinct():
        with transaction.atomic():
            crisis = (
                Crisis.objects.select_for_update(of=("self",))
                .select_related("opened_by")
                .get(pk=pk)
            )
            if crisis.closed_at is not None:
                continue
            fields = []
            if not crisis.start_recorded and crisis.starts_at <= now:
                crisis.start_recorded = True
                fields.append("start_recorded")
                _record(crisis, AuditLogEntry.Action.CRISIS_START, by=crisis.opened_by)
                written += 1
            if not crisis.end_recorded and crisis.ends_at is not None and crisis.ends_at <= now:
                crisis.end_recorded = True
                fields.append("end_recorded")
                _record(crisis, AuditLogEntry.Action.CRISIS_END, by=crisis.opened_by)
                written += 1
            if fields:
                crisis.save(update_fields=fields)
    return written
