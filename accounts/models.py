"""Users, the companies they act for, memberships and invitations."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class UserManager(DjangoUserManager):
    """Users log in with their e-mail; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    class MatchEmails(models.TextChoices):
        INSTANT = "instant", _("à chaque nouvelle suggestion")
        DAILY = "daily", _("un résumé par jour")
        NEVER = "never", _("jamais")

    class DigestFrequency(models.TextChoices):
        DAILY = "daily", _("chaque jour")
        WEEKLY = "weekly", _("chaque semaine")
        NEVER = "never", _("jamais")

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    # Stored normalised (E.164, "+33612345678"; accounts/phones.py), shown the French way.
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    job_title = models.CharField(_("fonction"), max_length=150, blank=True)
    # The version of the terms of use the person accepted (settings.TERMS_VERSION at the time)
    # and when. A version other than the current one (or none: an account made by an older app
    # client) means the web pages ask them to accept the current terms (accounts/terms.py).
    terms_version = models.CharField(
        _("version des conditions acceptée"), max_length=20, blank=True, editable=False
    )
    terms_accepted_at = models.DateTimeField(
        _("conditions acceptées le"), null=True, blank=True, editable=False
    )
    # When the retention job warned that this unused account will be deleted (None: not
    # warned, or used again since; accounts.services.retire_inactive_accounts).
    inactivity_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Notification preferences (docs/accounts.md): which e-mails this person gets, and in
    # which language e-mails are written to them (read by bourse.core.outbox).
    match_emails = models.CharField(
        _("e-mails de nouvelles suggestions"),
        max_length=8,
        choices=MatchEmails.choices,
        default=MatchEmails.INSTANT,
    )
    message_reminders = models.BooleanField(_("rappels de messages non lus"), default=True)
    saved_search_digest = models.CharField(
        _("résumé des recherches enregistrées"),
        max_length=8,
        choices=DigestFrequency.choices,
        default=DigestFrequency.DAILY,
    )
    language = models.CharField(
        _("langue"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Meaningful for moderators only: a daily e-mail summing up their queues.
    moderation_summary = models.BooleanField(
        _("résumé quotidien des files de modération"), default=False
    )
    # How many times each preference changed: an unsubscribe link names the count it was
    # made at, so it works once (accounts/unsubscribe.py).
    preference_generations = models.JSONField(default=dict, blank=True, editable=False)
    # Up to when the daily digest of matches has covered this person's notifications.
    match_digest_until = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        """How the person is named wherever they appear: "Claire Martin". Never the e-mail
        (nor its local part): an account without a name (made before names were asked; the
        web asks for them with the terms) is "Membre n° 42"."""
        full = f"{self.first_name} {self.last_name}".strip()
        return full or gettext("Membre n° %(id)s") % {"id": self.pk}

    @property
    def display_name_with_company(self) -> str:
        """ "Claire Martin (Transports Martin)": where the company is not already beside the
        name (e-mails, moderators' pages and log)."""
        company = self.company_or_none
        if company is None:
            return self.display_name
        return gettext("%(name)s (%(company)s)") % {
            "name": self.display_name,
            "company": company.name,
        }

    @property
    def has_accepted_current_terms(self) -> bool:
        return self.terms_accepted_at is not None and self.terms_version == settings.TERMS_VERSION

    @property
    def membership_or_none(self) -> "Membership | None":
        try:
            return self.membership
        except Membership.DoesNotExist:
            return None

    @property
    def company_or_none(self) -> "Company | None":
        membership = self.membership_or_none
        return membership.company if membership else None


class CompanyQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=Company.Status.VERIFIED)

    def in_departements(self, codes):
        return self.filter(departement__in=codes)


class Company(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de vérification")
        VERIFIED = "verified", _("vérifiée")
        REJECTED = "rejected", _("refusée")
        SUSPENDED = "suspended", _("suspendue")
        # Its last member left or deleted their account: its listings are withdrawn and the row
        # is kept (moderation log, conversations). Nobody can act for it any more.
        LEFT = "left", _("a quitté la bourse")

    class RegistryStatus(models.TextChoices):
        """What the public company registry says of the SIRET (accounts/registry.py)."""

        MATCH = "match", _("cohérent")
        MISMATCH = "mismatch", _("à vérifier")
        CLOSED = "closed", _("établissement fermé")
        NOT_FOUND = "not_found", _("inconnu du registre")
        UNREACHABLE = "unreachable", _("registre injoignable")
        PENDING = "pending", _("vérification en cours")

    name = models.CharField(_("raison sociale"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14)
    siren = models.CharField(_("SIREN"), max_length=9, editable=False)
    naf_code = models.CharField(_("code NAF"), max_length=6, blank=True)
    address = models.CharField(_("adresse"), max_length=255)
    postal_code = models.CharField(_("code postal"), max_length=5)
    commune = models.CharField(_("commune"), max_length=120)
    departement = models.CharField(_("département"), max_length=3, db_index=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    location_precision = models.CharField(
        _("précision de la position"),
        max_length=12,
        choices=[
            ("commune", _("centre de la commune")),
            ("housenumber", _("numéro de rue")),
            ("street", _("rue")),
            ("locality", _("lieu-dit")),
        ],
        default="commune",
    )
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_reason = models.TextField(_("motif"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    registry_status = models.CharField(
        _("registre"),
        max_length=12,
        choices=RegistryStatus.choices,
        default=RegistryStatus.PENDING,
        db_index=True,
    )
    registry_data = models.JSONField(_("réponse du registre"), default=dict, blank=True)
    registry_checked_at = models.DateTimeField(_("registre consulté le"), null=True, blank=True)
    # The person who declared the company (services.company_create), for the moderator who
    # checks it; still them after they leave the company, nobody once their account is deleted.
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("déclarée par"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("entreprise")
        verbose_name_plural = _("entreprises")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["siret"], name="company_unique_siret"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class Membership(models.Model):
    """A user acts for one company; the first member is its admin."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("administrateur")
        MEMBER = "member", _("membre")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor revoked: the invitee may still accept."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def for_emails(self, emails):
        """Addressed to any of these e-mails (compared without case)."""
        query = Q()
        for email in emails:
            query |= Q(email__iexact=email)
        return self.filter(query) if query else self.none()


class Invitation(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse e-mail"))
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_unique_open_per_company_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.company}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    def mark_accepted(self) -> None:
        self.accepted_at = timezone.now()
        self.save(update_fields=["accepted_at"])


class Moderator(models.Model):
    """A CCI advisor: responsible for some départements, or for all of them (national).

    A role of the user, like a membership: it lives here so that every app can ask who
    moderates what without reaching up into the moderation app."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderator"
    )
    is_national = models.BooleanField(_("national"), default=False)
    departements = models.JSONField(_("départements"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table keeps the name it had when the model lived in the moderation app (the
        # move was a change of state only, see migrations 0002 here and in moderation).
        db_table = "moderation_moderator"
        verbose_name = _("modérateur")
        verbose_name_plural = _("modérateurs")

    def __str__(self) -> str:
        scope = "national" if self.is_national else ", ".join(self.departements)
        return f"{self.user} ({scope})"

    def covers(self, departement: str) -> bool:
        return self.is_national or departement in self.departements
