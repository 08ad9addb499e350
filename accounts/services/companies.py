"""Writes on companies: declaring one, editing it (and the checks of SIRET, NAF code and
postal code they share)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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

from bourse.core.errors import ServiceError
from bourse.core.outbox import defer
from bourse.geo import data as geo

from ..models import Company, Membership, User
from ..tasks import check_company_registry, locate_company
from .users import clean_phone

# Fields a company admin may change, and those whose change sends a verified company back to
# moderation: the identity a moderator checked.


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
    """Declare a company; the caller becomes its admin and it waits for a moderator. Its
    phone is checked and stored E.164 like a person's (accounts/phones.py)."""
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
    try:
        phone = clean_phone(phone)
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
        phone=phone,
        website=website.strip(),
        description=description.strip(),
        naf_code=naf_code,
        status=Company.Status.PENDING,
        status_changed_at=timezone.now(),
        declared_by=by,
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
    any correction of a rejected company sends it back to the moderators' queue. A phone given
    is checked and stored E.164 (accounts/phones.py), even one typed the way it was before.

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
    if "phone" in changes:
        try:
            changes["phone"] = clean_phone(changes["phone"])
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
