"""Writes on users, companies, memberships and invitations.

Every function here is keyword-only and atomic. Permission checks live in accounts.permissions
and run before these; the services assume the caller is allowed. Bad input raises Django's
ServiceError naming the field, which forms and the API turn into messages (bourse.core.errors).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import (
    ValidationError as StdnumError,
)
from stdnum.fr import siret as stdnum_siret

from bourse.core import realtime, retention
from bourse.core.errors import ServiceError
from bourse.core.outbox import defer, send_email
from bourse.geo import data as geo

from . import signals, unsubscribe
from .models import Company, Invitation, Membership, User
from .phones import normalize_phone
from .tasks import check_company_registry, locate_company

# Fields a company admin may change, and those whose change sends a verified company back to
# moderation: the identity a moderator checked.
COMPANY_EDITABLE_FIELDS = (
    "name",
    "siret",
    "address",
    "postal_code",
    "phone",
    "website",
    "description",
    "naf_code",
)
COMPANY_IDENTITY_FIELDS = ("name", "siret")
NAF_RE = re.compile(r"^\d{2}\.?\d{2}[A-Z]$")


# --- Validation helpers ------------------------------------------------------------------------


def clean_siret(value: str) -> str:
    """The SIRET as 14 digits, checked by python-stdnum (Luhn, and La Poste's own rule), and
    refused when the registry cannot have issued it: a SIREN of zeros or an establishment
    number (NIC) of zeros pass the checksum but name no company."""
    try:
        siret = stdnum_siret.validate(value or "")
    except InvalidLength as exc:
        raise ServiceError(
            {"siret": [_("Un SIRET compte 14 chiffres.")]}, code="invalid_length"
        ) from exc
    except InvalidFormat as exc:
        raise ServiceError(
            {"siret": [_("Un SIRET ne contient que des chiffres.")]}, code="invalid_format"
        ) from exc
    except InvalidChecksum as exc:
        raise ServiceError(
            {"siret": [_("Ce SIRET n'est pas valide : vérifiez les chiffres saisis.")]},
            code="invalid_checksum",
        ) from exc
    except StdnumError as exc:
        raise ServiceError({"siret": [_("Ce SIRET n'est pas valide.")]}) from exc
    if siret[:9] == "0" * 9 or siret[9:] == "0" * 5:
        raise ServiceError(
            {"siret": [_("Ce SIRET ne peut pas exister : vérifiez les chiffres saisis.")]},
            code="impossible",
        )
    return siret


def locate_postal_code(postal_code: str) -> geo.Place:
    """The commune centre for a French postal code, from the offline table."""
    place = geo.lookup((postal_code or "").strip())
    if place is None:
        raise ServiceError(
            {"postal_code": [_("Code postal inconnu : saisissez un code postal français.")]},
            code="unknown_postal_code",
        )
    return place


def clean_naf_code(value: str) -> str:
    """An APE/NAF code as INSEE writes it ("62.01Z"); the dot may be left out when typed."""
    value = (value or "").strip().upper()
    if not value:
        return ""
    if not NAF_RE.match(value):
        raise ServiceError(
            {
                "naf_code": [
                    _("Code NAF invalide : quatre chiffres et une lettre, par exemple 62.01Z.")
                ]
            },
            code="invalid_naf",
        )
    return f"{value[:2]}.{value[-3:]}" if "." not in value else value


def _siret_taken_error() -> ServiceError:
    return ServiceError(
        {"siret": [_("Une entreprise avec ce SIRET est déjà inscrite.")]}, code="siret_taken"
    )


def _check_siret_free(siret: str, *, exclude_pk: int | None = None) -> None:
    qs = Company.objects.filter(siret=siret)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise _siret_taken_error()


def _save_company(company: Company, **kwargs) -> None:
    """Save, turning a lost race on the unique SIRET into the same 400 as the early check."""
    try:
        with transaction.atomic():
            company.save(**kwargs)
    except IntegrityError as exc:
        if Company.objects.filter(siret=company.siret).exclude(pk=company.pk).exists():
            raise _siret_taken_error() from exc
        raise


# --- Companies ---------------------------------------------------------------------------------


@transaction.atomic
def company_create(
    *,
    by: User,
    name: str,
    siret: str,
    address: str,
    postal_code: str,
    phone: str = "",
    website: str = "",
    description: str = "",
    naf_code: str = "",
) -> Company:
    """Declare a company; the caller becomes its admin and it waits for a moderator."""
    if Membership.objects.filter(user=by).exists():
        raise ServiceError(
            {"non_field_errors": [_("Vous êtes déjà membre d'une entreprise.")]},
            code="already_member",
        )
    errors: dict[str, list[str]] = {}
    try:
        siret = clean_siret(siret)
        _check_siret_free(siret)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        place = locate_postal_code(postal_code)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        naf_code = clean_naf_code(naf_code)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ServiceError(errors)
    company = Company(
        name=name.strip(),
        siret=siret,
        siren=siret[:9],
        address=address.strip(),
        postal_code=place.postal_code,
        commune=place.commune,
        departement=place.departement,
        latitude=place.latitude,
        longitude=place.longitude,
        phone=phone.strip(),
        website=website.strip(),
        description=description.strip(),
        naf_code=naf_code,
        status=Company.Status.PENDING,
        status_changed_at=timezone.now(),
    )
    _save_company(company)
    Membership.objects.create(user=by, company=company, role=Membership.Role.ADMIN)
    _ask_registry_on_commit(company)
    return company


def _ask_registry_on_commit(company: Company) -> None:
    """The public registry is asked about the SIRET, and the address placed on the map, in the
    background once the change is committed (bourse.core.outbox: durable, retried): the
    declaration never waits for them, nor fails with them (accounts/registry.py,
    bourse/geo/ban.py)."""
    stamp = timezone.now().isoformat()
    defer(check_company_registry, company.pk, key=f"accounts.registry:{company.pk}:{stamp}")
    defer(locate_company, company.pk, key=f"accounts.locate:{company.pk}:{stamp}")


@transaction.atomic
def company_update(*, company: Company, by: User, **changes: str) -> Company:
    """Change a company's profile. A new name or SIRET on a verified company needs a new check;
    any correction of a rejected company sends it back to the moderators' queue.

    `changes` holds some of COMPANY_EDITABLE_FIELDS; the caller (an admin) was checked before.
    """
    unknown = set(changes) - set(COMPANY_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"company_update() got unexpected fields: {sorted(unknown)}")
    company = Company.objects.select_for_update().get(pk=company.pk)
    errors: dict[str, list[str]] = {}
    if "siret" in changes:
        try:
            changes["siret"] = clean_siret(changes["siret"])
            _check_siret_free(changes["siret"], exclude_pk=company.pk)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    place = None
    if "postal_code" in changes:
        try:
            place = locate_postal_code(changes["postal_code"])
            changes["postal_code"] = place.postal_code
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "naf_code" in changes:
        try:
            changes["naf_code"] = clean_naf_code(changes["naf_code"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ServiceError(errors)

    changed: set[str] = set()
    for field, value in changes.items():
        value = (value or "").strip()
        if getattr(company, field) != value:
            setattr(company, field, value)
            changed.add(field)
    if "siret" in changed:
        company.siren = company.siret[:9]
        changed.add("siren")
    if place is not None and "postal_code" in changed:
        company.commune = place.commune
        company.departement = place.departement
        changed |= {"commune", "departement"}
    if changed & {"address", "postal_code"}:
        # Back to the commune's centre until the new address is placed (_ask_registry_on_commit).
        centre = place or locate_postal_code(company.postal_code)
        company.latitude, company.longitude = centre.latitude, centre.longitude
        company.location_precision = "commune"
        changed |= {"latitude", "longitude", "location_precision"}
    back_to_review = (
        company.status == Company.Status.VERIFIED and changed & set(COMPANY_IDENTITY_FIELDS)
    ) or (company.status == Company.Status.REJECTED and changed)
    if back_to_review:
        # A rejected company that corrects its profile goes back to the moderators' queue too.
        company.status = Company.Status.PENDING
        company.status_reason = ""
        company.status_changed_at = timezone.now()
        changed |= {"status", "status_reason", "status_changed_at"}
    if changed & {"siret", "name", "address", "postal_code"}:
        company.registry_status = Company.RegistryStatus.PENDING
        changed.add("registry_status")
    if changed:
        _save_company(company, update_fields=[*sorted(changed), "updated_at"])
    if "registry_status" in changed:
        _ask_registry_on_commit(company)
    return company


# --- Memberships -------------------------------------------------------------------------------


def _admins_left_after_removal(membership: Membership) -> int:
    return (
        Membership.objects.filter(company_id=membership.company_id, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a member (by an admin) or leave (by the member). The last admin cannot go while
    other members remain; the last member can, and the company then leaves the exchange."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    # Lock the company's admin rows so two admins cannot remove each other at once.
    list(
        Membership.objects.select_for_update()
        .filter(company_id=membership.company_id, role=Membership.Role.ADMIN)
        .values_list("pk", flat=True)
    )
    others = Membership.objects.filter(company_id=membership.company_id).exclude(pk=membership.pk)
    if membership.is_admin and _admins_left_after_removal(membership) == 0 and others.exists():
        raise ServiceError(
            {
                "non_field_errors": [
                    _(
                        "L'entreprise doit garder au moins un administrateur : nommez-en un "
                        "autre avant."
                    )
                ]
            },
            code="last_admin",
        )
    membership.delete()
    _leave_exchange_if_nobody_left(membership.company_id)
    # Their sockets heard the company's conversations: closed once this commits.
    realtime.close_user_sockets_on_commit(membership.user_id)


def _leave_exchange_if_nobody_left(company_id: int) -> bool:
    """When a company has no member any more it leaves the exchange: status `left`, its open
    invitations revoked, and `company_left` sent so its listings are withdrawn. The row stays
    (the moderation log and partners' conversations point at it). Runs in the caller's
    transaction, after the membership row is gone; True when the company left."""
    company = Company.objects.select_for_update().get(pk=company_id)
    if Membership.objects.filter(company_id=company_id).exists():
        return False
    now = timezone.now()
    company.status = Company.Status.LEFT
    company.status_reason = _("Le dernier membre de l'entreprise a quitté la bourse.")
    company.status_changed_at = now
    company.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    Invitation.objects.open().filter(company_id=company_id).update(revoked_at=now)
    signals.company_left.send(sender=Company, company_id=company_id)
    return True


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, by: User) -> Membership:
    """Make a member admin, or an admin a plain member (never the last admin)."""
    if role not in Membership.Role.values:
        raise ServiceError({"role": [_("Rôle inconnu.")]})
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role == membership.role:
        return membership
    if membership.is_admin and _admins_left_after_removal(membership) == 0:
        raise ServiceError(
            {"role": [_("L'entreprise doit garder au moins un administrateur.")]},
            code="last_admin",
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


# --- Invitations -------------------------------------------------------------------------------


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("accounts:invitation", args=[invitation.token])


def _send_invitation_email(invitation: Invitation) -> None:
    """The invitation e-mail, stored in the inviting transaction (bourse.core.outbox) and
    rendered when sent (templates/accounts/email/invitation_*.txt)."""
    company = invitation.company
    send_email(
        key=f"accounts.invitation:{invitation.pk}",
        to=invitation.email,
        template="accounts/email/invitation",
        context={
            "company": company.name,
            "inviter_name": (
                invitation.invited_by.display_name if invitation.invited_by else company.name
            ),
            "url": invitation_url(invitation),
            "email": invitation.email,
        },
    )


@transaction.atomic
def invitation_create(*, company: Company, by: User, email: str) -> Invitation:
    """Invite a colleague by e-mail; the e-mail with the link leaves after commit."""
    email = email.strip().lower()
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        raise ServiceError(
            {"email": [_("Cette personne est déjà membre de l'entreprise.")]},
            code="already_member",
        )
    if Invitation.objects.open().filter(company=company, email__iexact=email).exists():
        raise ServiceError(
            {"email": [_("Une invitation est déjà en attente pour cette adresse.")]},
            code="already_invited",
        )
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(company=company, email=email, invited_by=by)
    except IntegrityError as exc:
        raise ServiceError(
            {"email": [_("Une invitation est déjà en attente pour cette adresse.")]},
            code="already_invited",
        ) from exc
    _send_invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_open:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def user_verified_emails(user: User) -> set[str]:
    return {
        e.lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """The invitee joins the company as a member."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ServiceError(
            {"non_field_errors": [_("Cette invitation n'est plus valable.")]}, code="closed"
        )
    if invitation.email.lower() not in user_verified_emails(user):
        raise ServiceError(
            {
                "non_field_errors": [
                    _(
                        "Cette invitation est adressée à %(email)s : connectez-vous avec cette "
                        "adresse (vérifiée) pour l'accepter."
                    )
                    % {"email": invitation.email}
                ]
            },
            code="wrong_email",
        )
    if Membership.objects.filter(user=user).exists():
        raise ServiceError(
            {
                "non_field_errors": [
                    _(
                        "Vous êtes déjà membre d'une entreprise : quittez-la avant d'en rejoindre "
                        "une autre."
                    )
                ]
            },
            code="already_member",
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, company=invitation.company, role=Membership.Role.MEMBER
            )
    except IntegrityError as exc:
        raise ServiceError(
            {"non_field_errors": [_("Vous êtes déjà membre d'une entreprise.")]},
            code="already_member",
        ) from exc
    invitation.mark_accepted()
    return membership


# --- Users -------------------------------------------------------------------------------------


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


# --- Retention (RGPD) --------------------------------------------------------------------------


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
