"""In-app notifications for a company (new match, listing status, company status...)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .texts import render


class Notification(models.Model):
    class Kind(models.TextChoices):
        MATCH = "match", _("nouvelle suggestion")
        LISTING_STATUS = "listing_status", _("statut d'annonce")
        COMPANY_STATUS = "company_status", _("statut de l'entreprise")
        SAVED_SEARCH = "saved_search", _("recherche enregistrée")

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # What is needed to write the title and body in the reader's language (texts.py): {"title":
    # spec, "body": spec}. `title` and `body` keep the text as first written (admin, old rows).
    texts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_title(self) -> str:
        """The title in the active language (the reader's)."""
        return render((self.texts or {}).get("title"), self.title)

    @property
    def shown_body(self) -> str:
        """The body in the active language (the reader's)."""
        return render((self.texts or {}).get("body"), self.body)
