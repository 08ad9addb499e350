"""The rows behind the side-effect path and the scheduler.

`OutboxEntry`: one e-mail to one recipient, or one piece of background work, written in the
transaction of the change that causes it (bourse.core.outbox). `PeriodicJob`: one row per job
declared with `@periodic` (bourse.core.schedule), holding when it runs next and who holds it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEntry(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        TASK = "task", _("Tâche de fond")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Fait")
        FAILED = "failed", _("En échec")

    # One event and one recipient (or one piece of work): writing the same key twice keeps the
    # first row, so an event replayed never sends twice.
    key = models.CharField(_("clé"), max_length=255, unique=True)
    kind = models.CharField(_("nature"), max_length=8, choices=Kind.choices)
    payload = models.JSONField(_("contenu"))
    status = models.CharField(
        _("état"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    # Pending: not before this time. Running: the lease; past it, the run is taken as lost.
    run_after = models.DateTimeField(_("pas avant"))
    lease_until = models.DateTimeField(_("bail jusqu'à"), null=True, blank=True)
    # The django-tasks result that carries the latest run (database backend), if any.
    task_id = models.UUIDField(_("tâche"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    done_at = models.DateTimeField(_("fait le"), null=True, blank=True)

    class Meta:
        verbose_name = _("envoi différé")
        verbose_name_plural = _("envois différés")
        indexes = [
            models.Index(fields=["status", "run_after"], name="core_outbox_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}"

    @property
    def label(self) -> str:
        payload = self.payload or {}
        if self.kind == self.Kind.TASK:
            return payload.get("task", "")
        what = payload.get("template") or payload.get("subject", "")
        return f"{what} → {payload.get('to', '')}"


class PeriodicJob(models.Model):
    """A job of the scheduler: a row per name, so two scheduler processes never run it twice
    in one period (the one that moves `lease_until` forward first runs it)."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("prochaine exécution"))
    lease_until = models.DateTimeField(_("bail jusqu'à"), null=True, blank=True)
    owner = models.CharField(_("processus"), max_length=100, blank=True)
    last_started_at = models.DateTimeField(_("dernier départ"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("dernière fin"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    runs = models.PositiveIntegerField(_("exécutions"), default=0)
    failures = models.PositiveIntegerField(_("échecs"), default=0)

    class Meta:
        verbose_name = _("tâche périodique")
        verbose_name_plural = _("tâches périodiques")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
