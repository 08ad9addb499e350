"""Writes on people: accounts made outside the sign-up, what a person says of themself,
the terms of use, notification preferences, deletion and the retention of unused accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bourse.core import realtime, retention
from bourse.core.errors import ServiceError
from bourse.core.outbox import send_email

from .. import unsubscribe
from ..models import Invitation, Membership, User
from ..phones import normalize_phone
from .members import _admins_left_after_removal, _leave_exchange_if_nobody_left


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    job_title: str = "",
    email_verified: bool = False,
    terms_accepted: bool = False,
    is_superuser: bool = False,
    password_hash: str | None = None,
) -> User:
    """Create an account outside the sign-up flow (demo data, staff). `email_verified` records
    the address as verified, as if the person had entered the code; `terms_accepted` the
    current terms as accepted now (otherwise the web asks at the first page). `password_hash`
    (from make_password) spares hashing the same password again for many accounts."""
    email = User.objects.normalize_email(email).lower()
    create = User.objects.create_superuser if is_superuser else User.objects.create_user
    user = create(
        email=email,
        password=None if password_hash else password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=clean_phone(phone),
        job_title=job_title.strip(),
        **(terms_acceptance() if terms_accepted else {}),
    )
    if password_hash:
        user.password = password_hash
        user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=email_verified, primary=True)
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    first_name: str | None = None,
    last_name: str | None = None,
    phone: str | None = None,
    job_title: str | None = None,
) -> User:
    """Change what the person says of themself (None: unchanged). The phone is checked and
    stored normalised; a name cannot be emptied once given (people are named by it)."""
    values = {"first_name": first_name, "last_name": last_name, "job_title": job_title}
    values = {field: value.strip() for field, value in values.items() if value is not None}
    required = {"first_name": _("Indiquez votre prénom."), "last_name": _("Indiquez votre nom.")}
    for field, message in required.items():
        if field in values and not values[field] and getattr(user, field):
            raise ServiceError(message, field=field)
    if phone is not None:
        values["phone"] = clean_phone(phone)
    changed = [field for field, value in values.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, values[field])
    if changed:
        user.save(update_fields=changed)
    return user


def clean_phone(value: str) -> str:
    """A French number in E.164 (accounts/phones.py), or a ServiceError on `phone`."""
    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise ServiceError(exc.messages[0], field="phone") from None


def terms_acceptance() -> dict:
    """The fields recording that the current terms of use are accepted, now."""
    return {"terms_version": settings.TERMS_VERSION, "terms_accepted_at": timezone.now()}


def terms_accept(*, user: User) -> User:
    """The person accepts the terms of use in force (settings.TERMS_VERSION)."""
    for field, value in terms_acceptance().items():
        setattr(user, field, value)
    user.save(update_fields=["terms_version", "terms_accepted_at"])
    return user


PREFERENCE_FIELDS = (
    "match_emails",
    "message_reminders",
    "saved_search_digest",
    "language",
    "moderation_summary",
)


def preferences_update(*, user: User, **changes) -> User:
    """Change some of the person's notification preferences (the keys of PREFERENCE_FIELDS;
    values already validated by the form or serializer). Moving away from the daily digest of
    matches and back does not resend what an earlier digest covered."""
    changed = []
    for field, value in changes.items():
        if field not in PREFERENCE_FIELDS:
            raise TypeError(f"not a preference: {field}")
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    for field in changed:
        if field in unsubscribe.TURN_OFF:
            unsubscribe.bump(user, field)
    if any(field in unsubscribe.TURN_OFF for field in changed):
        changed.append("preference_generations")
    if "match_emails" in changed and user.match_emails == User.MatchEmails.DAILY:
        # The first digest covers what comes from now on, not the whole history.
        user.match_digest_until = timezone.now()
        changed.append("match_digest_until")
    if changed:
        user.save(update_fields=changed)
    return user


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete an account (RGPD erasure).

    Personal fields are blanked first, so nothing lingers in a row some other table keeps
    pointing at; the row is then deleted, which nulls the sender of the user's messages
    (on_delete=SET_NULL): partners keep the conversation, anonymised. When the user was the
    last admin of a company that has other members, the oldest member becomes admin; when they
    were its last member, the company leaves the exchange (its listings withdrawn).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    membership = Membership.objects.filter(user=user).first()
    if membership is not None:
        if membership.is_admin and _admins_left_after_removal(membership) == 0:
            successor = (
                Membership.objects.filter(company_id=membership.company_id)
                .exclude(pk=membership.pk)
                .order_by("joined_at", "pk")
                .first()
            )
            if successor is not None:
                successor.role = Membership.Role.ADMIN
                successor.save(update_fields=["role"])
        membership.delete()
        _leave_exchange_if_nobody_left(membership.company_id)
    Invitation.objects.open().filter(email__iexact=user.email).update(revoked_at=timezone.now())
    EmailAddress.objects.filter(user=user).delete()
    user.first_name = ""
    user.last_name = ""
    user.phone = ""
    user.job_title = ""
    user.email = f"deleted-{user.pk}@invalid"
    user.set_unusable_password()
    user.is_active = False
    user.save()
    realtime.close_user_sockets_on_commit(user.pk)
    user.delete()


def retire_inactive_accounts(*, now: datetime | None = None) -> tuple[int, int]:
    """Accounts unused for RETENTION_ACCOUNT_MONTHS (no login since; never logged in: since
    sign-up) are warned by e-mail, then deleted (user_delete) when RETENTION_ACCOUNT_NOTICE_DAYS
    later they still have not logged in, as the CNIL recommends. Logging in again cancels the
    warning. Staff accounts are left alone. Idempotent (one warning per period of inactivity:
    the e-mail's key names the user and their last login). Returns (warned, deleted)."""
    now = now or timezone.now()
    limit = retention.cutoff(settings.RETENTION_ACCOUNT_MONTHS, now=now)
    notice = timedelta(days=settings.RETENTION_ACCOUNT_NOTICE_DAYS)
    # Used again since the warning: the warning no longer holds.
    User.objects.filter(
        inactivity_warned_at__isnull=False, last_login__gt=F("inactivity_warned_at")
    ).update(inactivity_warned_at=None)
    inactive = (
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lte=limit)
    )
    warned = deleted = 0
    for user in inactive.filter(inactivity_warned_at__isnull=True).order_by("pk"):
        with transaction.atomic():
            send_email(
                key=f"accounts.inactivity_warning:{user.pk}:{user.last_seen.date().isoformat()}",
                to=user,
                template="accounts/email/inactivity_warning",
                context={
                    "months": settings.RETENTION_ACCOUNT_MONTHS,
                    "deadline": timezone.localtime(now + notice).strftime("%d/%m/%Y"),
                    "login_url": settings.SITE_URL + reverse("account_login"),
                    "delete_url": settings.SITE_URL + reverse("accounts:delete"),
                },
            )
            User.objects.filter(pk=user.pk, inactivity_warned_at__isnull=True).update(
                inactivity_warned_at=now
            )
            warned += 1
    for user in inactive.filter(inactivity_warned_at__lte=now - notice).order_by("pk"):
        user_delete(user=user)
        deleted += 1
    return warned, deleted
