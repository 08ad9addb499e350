"""Recorded matches, dismissed suggestions and saved searches.

Suggestions themselves are computed on demand (bourse.matching.queries); a `Match` row records a
strong match that was announced to both companies, so that it is announced once, ever.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Match(models.Model):
    """An unordered pair of listings (stored with listing_a_id < listing_b_id) that match strongly.

    The unique pair constraint is what makes "no duplicate notification for the same pair, ever"
    hold, even when two workers rematch both listings at the same moment.
    """

    listing_a = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="+")
    listing_b = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    # The parts of the score: {"category", "distance", "availability", "quantity", "text"}
    # plus "distance_km" and "common_words" as computed when the match was recorded.
    reasons = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("correspondance")
        verbose_name_plural = _("correspondances")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(listing_a__lt=F("listing_b")), name="match_pair_ordered"
            ),
            models.UniqueConstraint(fields=["listing_a", "listing_b"], name="match_unique_pair"),
        ]
        indexes = [models.Index(fields=["listing_b"], name="match_listing_b")]

    def __str__(self) -> str:
        return f"Match {self.listing_a_id} ↔ {self.listing_b_id} ({self.score:.2f})"


class Dismissal(models.Model):
    """A company hid a suggested listing: it never suggests it to that company again."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="match_dismissals"
    )
    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="dismissals"
    )
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suggestion masquée")
        verbose_name_plural = _("suggestions masquées")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "listing"], name="dismissal_unique_company_listing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_id} dismissed {self.listing_id}"


class SuggestionContact(models.Model):
    """A company pressed "Contacter" on a suggested listing: what suggestions lead to (the
    moderators' statistics count those that became a conversation)."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="suggestion_contacts"
    )
    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="suggestion_contacts"
    )
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suggestion suivie d'un contact")
        verbose_name_plural = _("suggestions suivies d'un contact")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "listing"], name="suggestion_contact_unique_company_listing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_id} contacted about {self.listing_id}"


class SavedSearch(models.Model):
    """Search parameters a company wants to be alerted about when a new listing fits them."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="saved_searches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    name = models.CharField(_("nom"), max_length=120)
    q = models.CharField(_("mots-clés"), max_length=200, blank=True)
    kind = models.CharField(
        _("type"),
        max_length=5,
        blank=True,
        choices=[("offer", _("offre")), ("need", _("besoin"))],
    )
    category = models.ForeignKey(
        "listings.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catégorie"),
    )
    postal_code = models.CharField(_("code postal"), max_length=5, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    radius_km = models.PositiveIntegerField(
        _("rayon (km)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recherche enregistrée")
        verbose_name_plural = _("recherches enregistrées")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(radius_km__gte=1) & Q(radius_km__lte=1000),
                name="saved_search_radius_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="saved_search_point_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class SavedSearchHit(models.Model):
    """A new listing that fitted a saved search: recorded once, e-mailed in one digest."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="hits")
    listing = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("alerte de recherche")
        verbose_name_plural = _("alertes de recherche")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "listing"], name="saved_search_hit_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["saved_search"],
                condition=Q(digested_at__isnull=True),
                name="saved_search_hit_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.saved_search_id} → {self.listing_id}"
