"""Writes on listings: every change of state goes through one of these functions.

Keyword-only, atomic. They assume the caller is allowed (see permissions.py) and enforce the
business rules themselves, raising `ServiceError` naming the field (`postal_code`, `status`
for a transition that does not apply), so the API answers 400 in DRF's shape and the web form
shows the message next to the field.

The lifecycle is the transitions table on the model (`Listing.TRANSITIONS`, methods
`listing.submit()`, `.close()`, `.renew()`...). The moderator's moves (approve, reject, hide)
are services of bourse.moderation, which write the audit log; they call `announce_published`
and `notify_status` here for what the company and matching hear.
A substantive edit of a published listing sends it back to pending when approval is required
(without approval it stays published and `listing_published` is sent again for matching). New
photos (added, or replacing others) are as substantive as new text: the moderator approved
what the exchange shows, pictures included (`_new_photos`). Removing or reordering photos shows
nothing new and needs no new approval.
"""

import contextlib
import contextvars
import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Company, User
from bourse.core import retention
from bourse.core.errors import ServiceError
from bourse.geo import data as geo
from bourse.notifications.services import notify
from bourse.notifications.texts import text

from . import holds
from .attributes import clean_attributes, keys_of, names_of
from .models import CLOSE_TRANSITIONS, Listing, ListingPhoto, Terms, Unit
from .signals import listing_published
from .units import allowed_units

Status = Listing.Status

# The fields a company fills in. Changing any of them on a published listing is substantive.
EDITABLE_FIELDS = (
    "kind",
    "title",
    "description",
    "category",
    "quantity",
    "unit",
    "terms",
    "price",
    "postal_code",
    "radius_km",
    "available_from",
    "available_until",
    "attributes",
)
PRICED_TERMS = {Terms.RENT, Terms.SALE}

# Demo loading publishes hundreds of listings at once; matching computes its own demo matches.
_quiet = contextvars.ContextVar("listings_quiet", default=False)


@contextlib.contextmanager
def quiet_publication() -> Iterator[None]:
    """Within this block, publishing sends no `listing_published` signal (demo data only)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def approval_required() -> bool:
    return bool(getattr(settings, "LISTINGS_REQUIRE_APPROVAL", True))


def _hold(listing: Listing) -> bool:
    """Note on the listing what holds it for a moderator (bourse.listings.holds); True when
    something does, approval required or not. Not saved here."""
    reasons = holds.hold_reasons(listing.title, listing.description)
    listing.hold_reasons = reasons or None
    return bool(reasons)


def _clean(values: dict, *, company: Company) -> dict:
    """Check the business rules on the full set of values and fill in the location fields.

    `values` holds every editable field (the listing's current values overlaid with the edit).
    Returns the field values to store on the listing.
    """
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)

    category = cleaned.get("category")
    if category is None:
        errors["category"] = [_("Choisissez une catégorie.")]

    quantity = cleaned.get("quantity")
    unit = cleaned.get("unit") or ""
    cleaned["unit"] = unit
    if quantity is not None:
        if Decimal(quantity) <= 0:
            errors["quantity"] = [_("La quantité doit être supérieure à zéro.")]
        elif not unit:
            errors["unit"] = [_("Précisez l'unité de la quantité.")]
    if unit:
        if unit not in Unit.values:
            errors["unit"] = [_("Unité inconnue.")]
        elif category is not None and unit not in allowed_units(category):
            labels = ", ".join(str(Unit(u).label) for u in allowed_units(category))
            errors["unit"] = [
                _("Cette unité ne convient pas à la catégorie (choisissez parmi : %(units)s).")
                % {"units": labels or "—"}
            ]

    price = cleaned.get("price")
    if price is not None and Decimal(price) < 0:
        errors["price"] = [_("Le prix ne peut pas être négatif.")]

    radius = cleaned.get("radius_km")
    if radius is None:
        cleaned["radius_km"] = radius = 50
    if not 1 <= int(radius) <= 1000:
        errors["radius_km"] = [_("Le rayon doit être compris entre 1 et 1 000 km.")]

    start, end = cleaned.get("available_from"), cleaned.get("available_until")
    if start and end and end < start:
        errors["available_until"] = [
            _("La fin de disponibilité doit être postérieure ou égale à son début.")
        ]

    if category is not None:
        try:
            cleaned["attributes"] = (
                clean_attributes(cleaned.get("attributes"), names_of(category)) or None
            )
        except DjangoValidationError as exc:
            errors["attributes"] = list(exc.messages)

    if not (cleaned.get("title") or "").strip():
        errors["title"] = [_("Donnez un titre à l'annonce.")]
    if not (cleaned.get("description") or "").strip():
        errors["description"] = [_("Décrivez l'annonce.")]

    postal_code = (cleaned.get("postal_code") or "").strip()
    if not postal_code:
        cleaned.update(
            postal_code=company.postal_code,
            commune=company.commune,
            departement=company.departement,
            latitude=company.latitude,
            longitude=company.longitude,
        )
    else:
        place = geo.lookup(postal_code)
        if place is None:
            errors["postal_code"] = [_("Code postal inconnu : %(code)s.") % {"code": postal_code}]
        else:
            cleaned.update(
                postal_code=place.postal_code,
                commune=place.commune,
                departement=place.departement,
                latitude=place.latitude,
                longitude=place.longitude,
            )

    if errors:
        raise ServiceError(errors)
    return cleaned


def _current_values(listing: Listing) -> dict:
    values = {field: getattr(listing, field) for field in EDITABLE_FIELDS}
    values["category"] = listing.category
    return values


def announce_published(listing: Listing) -> None:
    """The listing went live: `listing_published` is sent inside the publishing transaction;
    its receivers enqueue durable work through the outbox (bourse.core.outbox), which runs
    after commit (matching defers its rematch)."""
    if _quiet.get():
        return
    listing_published.send(sender=Listing, listing_id=listing.pk)


def notify_status(listing: Listing, *, reason: str = "", email: bool = True) -> None:
    """Tell the company its listing changed status (published, rejected, hidden, expired)."""
    if listing.status == Status.PUBLISHED:
        title = gettext_noop("Annonce publiée : %(title)s")
        body = text(
            gettext_noop("Votre annonce est en ligne jusqu'au %(date)s."),
            date=timezone.localtime(listing.expires_at).strftime("%d/%m/%Y"),
        )
    elif listing.status in (Status.REJECTED, Status.HIDDEN):
        if listing.status == Status.REJECTED:
            title = gettext_noop("Annonce refusée : %(title)s")
        else:
            title = gettext_noop("Annonce masquée : %(title)s")
        body = text(
            gettext_noop("Motif : %(reason)s\nVous pouvez la corriger et la soumettre à nouveau."),
            reason=reason,
        )
    elif listing.status == Status.EXPIRED:
        title = gettext_noop("Annonce expirée : %(title)s")
        body = text(
            gettext_noop("Renouvelez-la depuis « Mes annonces » si elle est toujours d'actualité.")
        )
    else:
        raise ValueError(f"no notification for a listing {listing.status}")
    notify(
        company=listing.company,
        kind="listing_status",
        title=text(title, title=listing.title),
        body=body,
        url=reverse("listings:detail", args=[listing.pk]),
        data={"listing": listing.pk, "status": listing.status},
        email=email,
    )


@transaction.atomic
def listing_create(*, company: Company, by: User, data: dict, submit: bool) -> Listing:
    """A new listing: a draft, or submitted (pending, or published at once without approval
    unless something holds it for a moderator: bourse.listings.holds)."""
    values = {field: data.get(field) for field in EDITABLE_FIELDS}
    cleaned = _clean(values, company=company)
    listing = Listing(company=company, created_by=by, status=Status.DRAFT, **cleaned)
    held = _hold(listing)
    listing.save()
    if submit:
        listing.submit(approval_required=approval_required() or held)
        if listing.status == Status.PUBLISHED:
            announce_published(listing)
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, by: User, data: dict) -> Listing:
    """Change what the company wrote. On a published listing a real change of any editable field
    is substantive: back to pending when approval is required."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    listing.check_can("edit")
    before = _current_values(listing)
    values = dict(before)
    values.update({k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    if "attributes" not in data and values["category"] is not None and values["attributes"]:
        # Another category without new attributes: keep those the new category asks for.
        keep = keys_of(names_of(values["category"]))
        values["attributes"] = {k: v for k, v in values["attributes"].items() if k in keep}
    cleaned = _clean(values, company=listing.company)
    after = {field: cleaned[field] for field in EDITABLE_FIELDS}
    changed = [f for f in EDITABLE_FIELDS if _differs(before[f], after[f])]
    for field, value in cleaned.items():
        setattr(listing, field, value)
    held = _hold(listing) if changed else bool(listing.hold_reasons)
    if changed and listing.status == Status.PUBLISHED:
        if approval_required() or held:
            listing.back_to_review()
        elif listing.is_live:
            # Without approval the new content is live at once: matching recomputes from it.
            announce_published(listing)
    listing.save()
    return listing


def _differs(a, b) -> bool:
    if isinstance(a, Decimal | int | float) and isinstance(b, Decimal | int | float):
        return Decimal(str(a)) != Decimal(str(b))
    if a in (None, "") and b in (None, ""):
        return False
    return a != b


@transaction.atomic
def listing_submit(*, listing: Listing, by: User) -> Listing:
    """Draft, rejected or hidden → pending (or published at once when approval is off)."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    listing.submit(approval_required=approval_required() or _hold(listing))
    if listing.status == Status.PUBLISHED:
        announce_published(listing)
    return listing


@transaction.atomic
def listing_close(
    *, listing: Listing, by: User, outcome: str, partner_company: Company | None = None
) -> Listing:
    """The deal is done (fulfilled, with its counterpart when known) or the company gives up."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if outcome not in CLOSE_TRANSITIONS:
        raise ServiceError(_("Choisissez « fulfilled » ou « withdrawn »."), field="outcome")
    listing.check_can(CLOSE_TRANSITIONS[outcome])
    if partner_company is not None:
        if outcome != Status.FULFILLED:
            raise ServiceError(
                _("Un partenaire n'a de sens que pour un échange réalisé."),
                field="partner_company",
            )
        if partner_company.pk == listing.company_id:
            raise ServiceError(
                _("Le partenaire doit être une autre entreprise."), field="partner_company"
            )
    listing.close(outcome=outcome, partner_company=partner_company)
    return listing


@transaction.atomic
def listing_renew(*, listing: Listing, by: User) -> Listing:
    """Published or expired → published from now for its lifetime (LISTING_LIFETIME_DAYS, or
    CRISIS_LISTING_LIFETIME_DAYS in a crisis area: models.lifetime)."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    was_live = listing.is_live
    listing.renew()
    if not was_live:
        announce_published(listing)
    return listing


@transaction.atomic
def listing_delete(*, listing: Listing, by: User) -> None:
    """Delete the listing and, after commit, its photo files."""
    from .photos import delete_files_on_commit

    photos = list(listing.photos.all())
    try:
        listing.delete()
    except ProtectedError as exc:
        raise ServiceError(
            _("Cette annonce est liée à des échanges : retirez-la plutôt que la supprimer.")
        ) from exc
    for photo in photos:
        delete_files_on_commit(photo)


@transaction.atomic
def delete_stale_drafts(*, now: datetime.datetime | None = None) -> int:
    """Drafts untouched for RETENTION_DRAFT_MONTHS are deleted with their photos (RGPD: nothing
    kept that nobody uses). A draft was never published, so nothing points at it; one that
    something does point at is left alone. Idempotent. Returns how many were deleted."""
    from .photos import delete_files_on_commit

    limit = retention.cutoff(settings.RETENTION_DRAFT_MONTHS, now=now)
    deleted = 0
    for listing in Listing.objects.select_for_update().filter(
        status=Status.DRAFT, updated_at__lte=limit
    ):
        photos = list(listing.photos.all())
        try:
            with transaction.atomic():
                listing.delete()
        except ProtectedError:
            continue
        for photo in photos:
            delete_files_on_commit(photo)
        deleted += 1
    return deleted


@transaction.atomic
def expire_listings(*, now: datetime.datetime | None = None) -> int:
    """Mark published listings past their expiry as expired and tell their companies.

    They already left the exchange at expires_at (Listing.objects.published() filters on it);
    this job only makes the status say so and prompts a renewal. Returns how many expired.
    """
    now = now or timezone.now()
    expired = list(
        Listing.objects.select_for_update()
        .filter(status__in=Listing.TRANSITIONS["expire"].sources, expires_at__lte=now)
        .select_related("company")
    )
    if not expired:
        return 0
    Listing.objects.filter(pk__in=[listing.pk for listing in expired]).update(
        status=Status.EXPIRED, updated_at=now
    )
    for listing in expired:
        listing.status = Listing.TRANSITIONS["expire"].target
        notify_status(listing, email=False)
    return len(expired)


def withdraw_listings_of_company_that_left(*, company_id: int) -> int:
    """Every open listing of a company whose last member left is withdrawn (receiver of
    accounts.signals.company_left, in that transaction): nobody is left to answer for them.
    Returns how many were withdrawn."""
    withdrawn = 0
    open_statuses = Listing.TRANSITIONS[CLOSE_TRANSITIONS[Status.WITHDRAWN]].sources
    for listing in Listing.objects.select_for_update().filter(
        company_id=company_id, status__in=open_statuses
    ):
        listing.close(outcome=Status.WITHDRAWN)
        withdrawn += 1
    return withdrawn


def _new_photos(listing: Listing) -> None:
    """A published listing shows a new photo: back to the moderators when approval is required,
    as for new text (listing_update). Without approval it stays published; matching reads no
    photo, so nothing is announced."""
    if approval_required() and listing.back_to_review():
        listing.save(update_fields=["status", "updated_at"])


@transaction.atomic
def listing_photo_add(*, listing: Listing, by: User, upload) -> ListingPhoto:
    """Check, clean and store one photo (see photos.py); at most MAX_PHOTOS per listing, and
    not on a closed listing. A published listing goes back to pending (`_new_photos`)."""
    from .photos import store_photo

    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    listing.check_can("edit")
    photo = store_photo(listing=listing, upload=upload)
    _new_photos(listing)
    return photo


@transaction.atomic
def listing_photo_delete(*, photo: ListingPhoto, by: User) -> None:
    from .photos import delete_files_on_commit

    Listing.objects.select_for_update().get(pk=photo.listing_id).check_can("edit")
    photo.delete()
    delete_files_on_commit(photo)


@transaction.atomic
def listing_photos_order(*, listing: Listing, by: User, order: list[int]) -> list[ListingPhoto]:
    """Put the listing's photos in this order (the first one is the one cards show): every
    photo of the listing exactly once."""
    from .photos import arrange

    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    listing.check_can("edit")
    ids = set(listing.photos.values_list("pk", flat=True))
    if len(order) != len(set(order)) or set(order) != ids:
        raise ServiceError(
            _("Donnez chaque photo de l'annonce une fois, dans l'ordre voulu."), field="photos"
        )
    return arrange(listing, order)


@transaction.atomic
def listing_photos_change(
    *, listing: Listing, by: User, keep: list[int], add: list
) -> list[ListingPhoto]:
    """The photos of the listing form in one go: those kept in this order (the others are
    deleted, their files after commit), then the new ones (`photos.CleanPhoto`, checked by the
    form) after them. At most MAX_PHOTOS in all, or nothing changes. New photos send a
    published listing back to pending (`_new_photos`); removing or reordering does not."""
    from .photos import (
        MAX_PHOTOS,
        arrange,
        delete_files,
        delete_files_on_commit,
        files_of,
        store_photo,
    )

    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    listing.check_can("edit")
    photos = list(listing.photos.all())
    keep = [pk for pk in dict.fromkeys(keep) if pk in {photo.pk for photo in photos}]
    if len(keep) + len(add) > MAX_PHOTOS:
        raise ServiceError(
            _("Une annonce a au plus %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos"
        )
    for photo in photos:
        if photo.pk not in keep:
            photo.delete()
            delete_files_on_commit(photo)
    arrange(listing, keep)
    stored: list[ListingPhoto] = []
    try:
        for clean in add:
            stored.append(store_photo(listing=listing, clean=clean))
    except BaseException:
        # The transaction rolls back: the files of the photos stored by this call go too.
        for photo in stored:
            delete_files(files_of(photo))
        raise
    if stored:
        _new_photos(listing)
    return list(listing.photos.all())
