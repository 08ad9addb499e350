"""Reports of abuse and the append-only audit log. (A moderator's role and territory are a
user's role: `accounts.models.Moderator`.)"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogQuerySet(models.QuerySet):
    def record(
        self,
        *,
        actor,
        action: str,
        target_type: str,
        target_id: int,
        departement: str = "",
        reason: str = "",
        data: dict | None = None,
        actor_email: str = "",
    ) -> "AuditLogEntry":
        """Append one entry: the one way to write the log. Call it inside the atomic block of
        the change it records, so both commit or neither does (RuntimeError otherwise).
        `actor_email` names an actor whose account is gone (`actor` None): a scheduled crisis
        starts on behalf of the moderator who opened it."""
        if not transaction.get_connection(self.db).in_atomic_block:
            raise RuntimeError(
                "AuditLogEntry.objects.record must run inside the transaction of the change"
            )
        return self.create(
            actor=actor,
            actor_email=actor.email if actor is not None else actor_email,
            action=action,
            target_type=target_type,
            target_id=target_id,
            departement=departement,
            reason=reason,
            data=data or {},
        )

    def update(self, **kwargs):
        raise TypeError("The audit log is append-only")

    def delete(self):
        raise TypeError("The audit log is append-only")


class AuditLogEntry(models.Model):
    """One moderator action. Written by the service that acts, in the same transaction."""

    class Action(models.TextChoices):
        COMPANY_VERIFY = "company.verify", _("entreprise vérifiée")
        COMPANY_REJECT = "company.reject", _("entreprise refusée")
        COMPANY_SUSPEND = "company.suspend", _("entreprise suspendue")
        COMPANY_REINSTATE = "company.reinstate", _("entreprise rétablie")
        LISTING_APPROVE = "listing.approve", _("annonce approuvée")
        LISTING_REJECT = "listing.reject", _("annonce refusée")
        LISTING_HIDE = "listing.hide", _("annonce masquée")
        REPORT_RESOLVE = "report.resolve", _("signalement traité")
        CONVERSATION_READ = "conversation.read", _("conversation signalée consultée")
        LISTING_CALL = "listing.call", _("entreprise appelée (annonce sans réponse)")
        CRISIS_OPEN = "crisis.open", _("crise ouverte")
        CRISIS_START = "crisis.start", _("crise commencée (date programmée)")
        CRISIS_END = "crisis.end", _("crise terminée (date de fin atteinte)")
        CRISIS_CLOSE = "crisis.close", _("crise clôturée")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept when the actor's account is deleted, so the record still says who acted.
    actor_email = models.EmailField()
    action = models.CharField(max_length=40, choices=Action.choices)
    target_type = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    departement = models.CharField(max_length=3, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal de modération")
        verbose_name_plural = _("journal de modération")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="auditlog_target")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only")


class Report(models.Model):
    """A verified company member's report of a listing, a company, a message or a person."""

    class TargetType(models.TextChoices):
        LISTING = "listing", _("annonce")
        COMPANY = "company", _("entreprise")
        MESSAGE = "message", _("message")
        USER = "user", _("personne")

    class Status(models.TextChoices):
        OPEN = "open", _("ouvert")
        RESOLVED = "resolved", _("traité")

    class Decision(models.TextChoices):
        """What the moderator decided; all but dismissed act on someone, whom the note tells."""

        DISMISSED = "dismissed", _("Classé sans suite")
        WARNED = "warned", _("Avertissement envoyé")  # the company concerned, in-app and e-mail
        LISTING_HIDDEN = "listing_hidden", _("Annonce masquée")  # the reported listing
        COMPANY_SUSPENDED = "company_suspended", _("Entreprise suspendue")

    DECISIONS_NEEDING_NOTE = (Decision.WARNED, Decision.LISTING_HIDDEN, Decision.COMPANY_SUSPENDED)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reporter_company = models.ForeignKey(
        "accounts.Company", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    target_type = models.CharField(max_length=10, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    # The département of the reported object, so a moderator sees the reports of their territory.
    departement = models.CharField(max_length=3, db_index=True)
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    decision = models.CharField(max_length=40, blank=True, choices=Decision.choices)
    note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.target_type} #{self.target_id}: {self.reason[:40]}"


class ModerationReason(models.Model):
    """A common reason a moderator picks instead of typing it (staff edit the list in the
    admin); a free text can be added to it. The text is copied into the decision, so editing or
    retiring a reason never changes what a company was told."""

    class Target(models.TextChoices):
        COMPANY = "company", _("entreprise")
        LISTING = "listing", _("annonce")

    class Action(models.TextChoices):
        REJECT = "reject", _("refuser")
        SUSPEND = "suspend", _("suspendre")
        HIDE = "hide", _("masquer")

    target = models.CharField(_("pour"), max_length=10, choices=Target.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    text = models.CharField(_("motif"), max_length=300)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    active = models.BooleanField(_("proposé"), default=True)

    class Meta:
        verbose_name = _("motif de modération")
        verbose_name_plural = _("motifs de modération")
        ordering = ["target", "action", "position", "pk"]
        indexes = [models.Index(fields=["target", "action"], name="reason_target_action")]

    def __str__(self) -> str:
        return self.text


class AdvisorCall(models.Model):
    """An advisor's call to the company of a listing nobody answered ("Besoins sans réponse"):
    who called, when, what came of it. Recorded with its audit log entry, never edited."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Appelé — joint")
        NOT_REACHED = "not_reached", _("Appelé — pas joint")
        RESOLVED = "resolved", _("Résolu")
        NO_LONGER_NEEDED = "no_longer_needed", _("N'a plus besoin")

    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="advisor_calls"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept when the advisor's account is deleted, as in the audit log.
    by_email = models.EmailField()
    outcome = models.CharField(_("résultat"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("appel d'un conseiller")
        verbose_name_plural = _("appels des conseillers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.by_email} {self.outcome}"
