"""Recorded matches, dismissed suggestions, saved searches and the stored suggestions.

Suggestions are computed when listings change (bourse.matching.services.lists) and stored per
listing (`SuggestionList`, `StoredSuggestion`), which pages and the API read; a `Match` row
records a strong match that was announced to both companies, so that it is announced once, ever.
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


class SuggestionList(models.Model):
    """A published listing's best counterparts as last computed (`StoredSuggestion` rows):
    what the suggestions page and the API read instead of scoring on every view.

    `floor_*` is the rank key (score rounded to 4 places, distance, id) that every counterpart
    not stored ranks after; empty when every counterpart was stored (fewer than the list
    holds). bourse.matching.suggestions reads it to know whether the stored rows still give an
    exact top, and recomputes the list when they do not.
    """

    listing = models.OneToOneField(
        "listings.Listing",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="suggestion_list",
    )
    computed_at = models.DateTimeField()
    floor_score = models.FloatField(null=True, blank=True)
    floor_distance_km = models.FloatField(null=True, blank=True)
    floor_listing_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("liste de suggestions")
        verbose_name_plural = _("listes de suggestions")
        indexes = [models.Index(fields=["computed_at"], name="suggestion_list_computed")]

    def __str__(self) -> str:
        return f"Suggestions of {self.listing_id} ({self.computed_at:%Y-%m-%d %H:%M})"

    @property
    def floor(self) -> tuple[float, float, int] | None:
        if self.floor_listing_id is None:
            return None
        return (-self.floor_score, self.floor_distance_km, self.floor_listing_id)


class StoredSuggestion(models.Model):
    """One counterpart of a stored list, scored from the list's listing's side, without the
    feedback factor (what the company dismissed: applied when read, since it changes with
    every dismissal). `score` is the weighted parts times the requirements factor, unrounded;
    `checks` holds each check's text in every language of the site."""

    suggestion_list = models.ForeignKey(
        SuggestionList, on_delete=models.CASCADE, related_name="suggestions"
    )
    counterpart = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    distance_km = models.FloatField()
    parts = models.JSONField(default=dict)
    quantity_compared = models.BooleanField(default=False)
    requirements = models.FloatField(default=1.0)
    checks = models.JSONField(default=list)
    common_words = models.JSONField(default=list)

    class Meta:
        verbose_name = _("suggestion enregistrée")
        verbose_name_plural = _("suggestions enregistrées")
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion_list", "counterpart"], name="stored_suggestion_unique"
            )
        ]
        indexes = [models.Index(fields=["counterpart"], name="stored_suggestion_counterpart")]

    def __str__(self) -> str:
        return f"{self.suggestion_list_id} → {self.counterpart_id} ({self.score:.4f})"
