"""Categories, listings (offers and needs) and their photos."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from bourse.core.errors import ServiceError

from .crises import Crisis as Crisis
from .crises import lifetime_days
from .units import Unit as Unit  # the vocabulary lives with the units' rules
from .units import quantity_text


class Category(models.Model):
    """Two levels: a parent (Stockage) and its children (Entrepôt sec). Staff edit them."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    name_en = models.CharField(_("nom (anglais)"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    position = models.PositiveSmallIntegerField(default=0)
    # Units that make sense for this category, first one suggested ("m2" for storage).
    units = models.JSONField(default=list, blank=True)
    # The attributes that decide a substitute in this category, by name
    # (bourse.listings.attributes.ATTRIBUTES): asked in the listing form, compared by matching.
    attributes = models.JSONField(
        _("attributs"),
        default=list,
        blank=True,
        help_text=_(
            "Caractéristiques demandées dans le formulaire des annonces de cette catégorie "
            "(température, capacité, CACES…) et comparées par les suggestions."
        ),
    )

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        if (get_language() or "fr").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Kind(models.TextChoices):
    OFFER = "offer", _("offre")
    NEED = "need", _("besoin")


class Terms(models.TextChoices):
    FREE = "free", _("gratuit")
    LOAN = "loan", _("prêt")
    RENT = "rent", _("location")
    SALE = "sale", _("vente")
    EXCHANGE = "exchange", _("échange")
    TO_DISCUSS = "to_discuss", _("à discuter")


PREFETCHED_PHOTOS = "prefetched_photos"


class ListingQuerySet(models.QuerySet):
    def published(self):
        """Live on the exchange: published, not past expiry (an expired listing leaves search at
        once, before any periodic job runs), and its company still verified (a suspended
        company's listings leave the exchange)."""
        return self.filter(
            status=Listing.Status.PUBLISHED,
            expires_at__gt=timezone.now(),
            company__status="verified",
        )

    def of_company(self, company):
        return self.filter(company=company)

    def for_api(self):
        """What ListingSerializer and the listing cards read, in a constant number of queries:
        the listing, its category, its company's id and name (not the company's other columns:
        a fifth of the time of a search page's rows), its photos."""
        listing_fields = [field.name for field in self.model._meta.concrete_fields]
        category_fields = [f"category__{field.name}" for field in Category._meta.concrete_fields]
        return (
            self.select_related("company", "category")
            .only(*listing_fields, *category_fields, "company__name")
            # Into a plain list (Listing.ordered_photos): a third cheaper than Django filling
            # a related manager's cache per listing.
            .prefetch_related(models.Prefetch("photos", to_attr=PREFETCHED_PHOTOS))
        )


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("brouillon")
    PENDING = "pending", _("en attente de validation")
    PUBLISHED = "published", _("publiée")
    REJECTED = "rejected", _("refusée")
    FULFILLED = "fulfilled", _("réalisée")
    WITHDRAWN = "withdrawn", _("retirée")
    EXPIRED = "expired", _("expirée")
    HIDDEN = "hidden", _("masquée")


@dataclass(frozen=True)
class Transition:
    """One move of a listing's status: from which statuses, to which, made by whom."""

    name: str
    sources: frozenset[str]
    target: str | None  # None: the status stays (edit); submit publishes when approval is off
    actor: str  # "company", "moderator" or "system"
    verb: str  # for the refusal, with its preposition: "Impossible <d'approuver> une annonce..."
    needs_reason: bool = False  # the company is told why (reject, hide)


_S = ListingStatus
_NOT_CLOSED = frozenset({_S.DRAFT, _S.PENDING, _S.REJECTED, _S.PUBLISHED, _S.EXPIRED, _S.HIDDEN})

# The lifecycle, with the choices made where the product rules are silent:
# - a company edits its listing (text and photos) until it is closed; a substantive edit of a
#   published listing, a new photo included, sends it back to pending when approval is required
#   (back_to_review: listing_update, the photo services);
# - submit: draft, rejected or hidden → pending (after fixing what the moderator said), or
#   published at once when LISTINGS_REQUIRE_APPROVAL is off;
# - withdraw from any open status (the company gives up); fulfil from published, expired and
#   hidden (the deal was done anyway);
# - renew: published or expired → published for another lifetime (LISTING_LIFETIME_DAYS, longer
#   in a crisis area: `lifetime`).
LISTING_TRANSITIONS = (
    Transition("edit", _NOT_CLOSED, None, "company", _("de modifier")),
    Transition(
        "submit",
        frozenset({_S.DRAFT, _S.REJECTED, _S.HIDDEN}),
        _S.PENDING,
        "company",
        _("de soumettre"),
    ),
    Transition("approve", frozenset({_S.PENDING}), _S.PUBLISHED, "moderator", _("d'approuver")),
    Transition("reject", frozenset({_S.PENDING}), _S.REJECTED, "moderator", _("de refuser"), True),
    Transition("hide", frozenset({_S.PUBLISHED}), _S.HIDDEN, "moderator", _("de masquer"), True),
    Transition(
        "fulfil",
        frozenset({_S.PUBLISHED, _S.EXPIRED, _S.HIDDEN}),
        _S.FULFILLED,
        "company",
        _("de clôturer"),
    ),
    Transition("withdraw", _NOT_CLOSED, _S.WITHDRAWN, "company", _("de clôturer")),
    Transition(
        "renew", frozenset({_S.PUBLISHED, _S.EXPIRED}), _S.PUBLISHED, "company", _("de renouveler")
    ),
    Transition("expire", frozenset({_S.PUBLISHED}), _S.EXPIRED, "system", _("d'expirer")),
)
CLOSE_TRANSITIONS = {_S.FULFILLED: "fulfil", _S.WITHDRAWN: "withdraw"}


def lifetime(departement: str | None = None) -> datetime.timedelta:
    """How long a listing stays published (LISTING_LIFETIME_DAYS) before it expires or renews;
    longer in a département in crisis (CRISIS_LISTING_LIFETIME_DAYS, bourse.listings.crises)."""
    return datetime.timedelta(days=lifetime_days(departement))


class Listing(models.Model):
    Status = ListingStatus
    # Every change of status, in one table: services, views, forms and moderation read it.
    TRANSITIONS = {t.name: t for t in LISTING_TRANSITIONS}

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="listings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=5, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=120)
    description = models.TextField(_("description"), max_length=5000)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="listings", verbose_name=_("catégorie")
    )
    quantity = models.DecimalField(
        _("quantité"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unité"), max_length=10, choices=Unit.choices, blank=True)
    terms = models.CharField(_("conditions"), max_length=12, choices=Terms.choices)
    price = models.DecimalField(
        _("prix (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    rejection_reason = models.TextField(_("motif"), blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5)
    commune = models.CharField(_("commune"), max_length=120)
    departement = models.CharField(_("département"), max_length=3, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    radius_km = models.PositiveIntegerField(
        _("rayon couvert (km)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    # The category's attributes ({"capacity_t": 3, "caces": ["3"], ...}; see
    # bourse.listings.attributes). Null when none was given: a nullable column is added to
    # SQLite without rebuilding the table (and its hand-made indexes).
    attributes = models.JSONField(_("caractéristiques"), null=True, blank=True)
    available_from = models.DateField(_("disponible à partir du"), null=True, blank=True)
    available_until = models.DateField(_("disponible jusqu'au"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    partner_company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entreprise partenaire"),
    )
    # Why the listing was held for a moderator at its last submission or edit (a watched word,
    # an e-mail address or phone number in the title; bourse.listings.holds), null when nothing
    # was found. Nullable: added to SQLite without rebuilding the table.
    hold_reasons = models.JSONField(_("motifs de retenue"), null=True, blank=True)
    # When the company was last asked whether the listing is still current (bourse.listings.
    # freshness): once per publication period.
    freshness_asked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ListingQuerySet.as_manager()

    # Not a column: True on the rows a search shows first during a crisis (search/pinning.py).
    crisis_pinned = False

    class Meta:
        verbose_name = _("annonce")
        verbose_name_plural = _("annonces")
        ordering = ["-published_at", "-id"]
        indexes = [
            # Radius search uses the covering index `listing_search_band` (migration 0008).
            models.Index(fields=["status", "-published_at"], name="listing_status_published"),
            models.Index(fields=["company", "status"], name="listing_company_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(radius_km__gte=1) & Q(radius_km__lte=1000),
                name="listing_radius_range",
            ),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_until__isnull=True)
                | Q(available_until__gte=models.F("available_from")),
                name="listing_availability_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def quantity_text(self) -> str:
        """ "8 500 unités", "58 heures": the quantity as pages show it ("" without one)."""
        return quantity_text(self.quantity, self.unit)

    @property
    def ordered_photos(self) -> list:
        """The photos in display order: as for_api() prefetched them, or read now."""
        prefetched = self.__dict__.get(PREFETCHED_PHOTOS)
        return prefetched if prefetched is not None else list(self.photos.all())

    @property
    def is_live(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    # --- Lifecycle: the only code that changes `status` on one listing --------------------
    # Each method checks the table, changes the fields and saves; the caller holds the row
    # lock (select_for_update) and does the rest (audit log, notifications, matching).

    def can(self, action: str) -> bool:
        return self.status in self.TRANSITIONS[action].sources

    def actions(self, actor: str) -> list[str]:
        """What `actor` ("company", "moderator") may do to the listing now, in table order."""
        return [t.name for t in LISTING_TRANSITIONS if t.actor == actor and self.can(t.name)]

    def check_can(self, action: str) -> None:
        """ServiceError on `status` naming the current status when the move does not apply."""
        if not self.can(action):
            raise ServiceError(
                gettext("Impossible %(action)s une annonce au statut « %(status)s ».")
                % {"action": self.TRANSITIONS[action].verb, "status": self.get_status_display()},
                field="status",
                code="invalid_transition",
            )

    def _publish(self, now: datetime.datetime | None) -> None:
        now = now or timezone.now()
        self.status = self.Status.PUBLISHED
        self.published_at = now
        self.expires_at = now + lifetime(self.departement)
        self.rejection_reason = ""

    def submit(self, *, approval_required: bool, now: datetime.datetime | None = None) -> None:
        self.check_can("submit")
        if approval_required:
            self.status = self.Status.PENDING
            self.rejection_reason = ""
        else:
            self._publish(now)
        self.save()

    def approve(self, *, now: datetime.datetime | None = None) -> None:
        self.check_can("approve")
        self._publish(now)
        self.save()

    def back_to_review(self) -> bool:
        """A substantive change of a published listing (its text, a new photo) while it needs a
        moderator's approval: back to pending, not saved here (the edit saves). True when it
        went back; a listing in any other status keeps it."""
        self.check_can("edit")
        if self.status != self.Status.PUBLISHED:
            return False
        self.status = self.Status.PENDING
        return True

    def set_aside(self, action: str, *, reason: str) -> None:
        """reject (pending) or hide (published), with the reason the company is shown."""
        if not self.TRANSITIONS[action].needs_reason:
            raise ValueError(f"{action} is not a move with a reason")
        self.check_can(action)
        self.status = self.TRANSITIONS[action].target
        self.rejection_reason = reason
        self.save()

    def reject(self, *, reason: str) -> None:
        self.set_aside("reject", reason=reason)

    def hide(self, *, reason: str) -> None:
        self.set_aside("hide", reason=reason)

    def close(self, *, outcome: str, partner_company=None) -> None:
        """fulfilled (with its counterpart when known) or withdrawn."""
        self.check_can(CLOSE_TRANSITIONS[outcome])
        self.status = outcome
        self.partner_company = partner_company
        self.closed_at = timezone.now()
        self.save()

    def renew(self, *, now: datetime.datetime | None = None) -> None:
        self.check_can("renew")
        self.status = self.Status.PUBLISHED
        self.expires_at = (now or timezone.now()) + lifetime(self.departement)
        self.save()


def photo_path(instance: "ListingPhoto", filename: str) -> str:
    return f"listings/{instance.listing_id}/{filename}"


class ListingPhoto(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    # width/height are written by the photo pipeline (photos.py), not by ImageField's
    # width_field/height_field: those reopen the file on every load of a row that lacks them.
    image = models.ImageField(upload_to=photo_path)
    thumbnail = models.ImageField(upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Photo {self.pk} of listing {self.listing_id}"


class TradeTerm(models.Model):
    """A word of the trade and the spellings that mean the same ("poids lourd": PL, camion
    porteur). Staff edit them in the admin; search and matching read them
    (bourse.listings.vocabulary)."""

    term = models.CharField(_("terme"), max_length=80, unique=True)
    variants = models.TextField(
        _("synonymes et abréviations"),
        help_text=_("Séparés par des virgules ou un par ligne (ex. : PL, poids lourd)."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("terme du métier")
        verbose_name_plural = _("vocabulaire du métier")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


class WatchedWord(models.Model):
    """A word or phrase that holds a listing for a moderator when its title or description
    contains it, even when LISTINGS_REQUIRE_APPROVAL is off. Staff edit them in the admin;
    case and accents do not matter, whole words only (bourse.listings.holds)."""

    word = models.CharField(_("mot ou expression"), max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mot surveillé")
        verbose_name_plural = _("mots surveillés")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word
