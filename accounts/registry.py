"""What the State's public company registry says about a SIRET, and how it compares with what
a company declared.

The registry is the "API Recherche d'entreprises" (open data, no key, 7 calls per second per
address): `GET /search?q=<siret>` answers the legal unit with the establishments matching the
query. It pre-fills the declaration form and puts a verdict in front of the moderator:

| status      | the moderator reads        | meaning                                            |
| ----------- | -------------------------- | -------------------------------------------------- |
| match       | cohérent                   | establishment active, same name and postal code    |
| mismatch    | à vérifier                 | active, but the name or the address differs        |
| closed      | établissement fermé        | the registry says the establishment has closed     |
| not_found   | inconnu du registre        | no establishment with this SIRET                   |
| unreachable | registre injoignable       | no answer (no network, timeout, limit reached)     |
| pending     | vérification en cours      | not asked yet                                      |

Nothing waits for the registry: the check runs after the company is saved, in the background,
and a company whose registry cannot be reached is verified by hand as before. The same goes for
the company's street address, placed on the map by the Base Adresse Nationale when it answers
(`company_locate_address`, bourse/geo/ban.py); the commune's centre stays the default.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bourse.core.outbox import send_email
from bourse.core.outside import OutsideService, Unreachable
from bourse.geo import ban

from .models import Company, Moderator

__all__ = [
    "RegistryAnswer",
    "Unreachable",
    "company_locate_address",
    "company_registry_check",
    "lookup",
    "verdict",
]

# INSEE's headcount brackets ("tranche d'effectif salarié").
HEADCOUNT = {
    "NN": _("non renseigné"),
    "00": _("0 salarié"),
    "01": _("1 ou 2 salariés"),
    "02": _("3 à 5 salariés"),
    "03": _("6 à 9 salariés"),
    "11": _("10 à 19 salariés"),
    "12": _("20 à 49 salariés"),
    "21": _("50 à 99 salariés"),
    "22": _("100 à 199 salariés"),
    "31": _("200 à 249 salariés"),
    "32": _("250 à 499 salariés"),
    "41": _("500 à 999 salariés"),
    "42": _("1 000 à 1 999 salariés"),
    "51": _("2 000 à 4 999 salariés"),
    "52": _("5 000 à 9 999 salariés"),
    "53": _("10 000 salariés et plus"),
}

VERDICT_LABELS = {
    Company.RegistryStatus.MATCH: _("cohérent"),
    Company.RegistryStatus.MISMATCH: _("à vérifier"),
    Company.RegistryStatus.CLOSED: _("établissement fermé"),
    Company.RegistryStatus.NOT_FOUND: _("inconnu du registre"),
    Company.RegistryStatus.UNREACHABLE: _("registre injoignable"),
    Company.RegistryStatus.PENDING: _("vérification en cours"),
}

# Words that say nothing about which company it is.
_LEGAL_FORMS = {
    "SA",
    "SAS",
    "SASU",
    "SARL",
    "EURL",
    "SCI",
    "SNC",
    "SCOP",
    "SCA",
    "EI",
    "EIRL",
    "GIE",
    "SOCIETE",
    "STE",
    "ETS",
    "ETABLISSEMENTS",
    "ET",
    "LA",
    "LE",
    "LES",
    "DE",
    "DU",
    "DES",
    "D",
    "L",
}


def service() -> OutsideService:
    return OutsideService(
        name="registry",
        base_url=settings.REGISTRY_API_URL,
        timeout=settings.REGISTRY_TIMEOUT,
        per_second=settings.REGISTRY_RATE_PER_SECOND,
    )


@dataclass(frozen=True)
class RegistryAnswer:
    siret: str
    name: str
    address: str
    postal_code: str
    commune: str
    naf_code: str
    active: bool
    created_on: str | None
    headcount: str
    head_office: bool

    def as_dict(self) -> dict:
        return asdict(self)


def _establishment(result: dict, siret: str) -> dict | None:
    for establishment in result.get("matching_etablissements") or []:
        if establishment.get("siret") == siret:
            return establishment
    siege = result.get("siege") or {}
    return siege if siege.get("siret") == siret else None


def lookup(siret: str) -> RegistryAnswer | None:
    """The registry's answer for a valid SIRET; None when it knows no such establishment.

    Raises Unreachable when the registry cannot answer."""
    status, body = service().get_json("/search", {"q": siret, "page": "1", "per_page": "5"})
    if status != 200 or not isinstance(body, dict):
        return None
    for result in body.get("results") or []:
        if result.get("siren") != siret[:9]:
            continue
        establishment = _establishment(result, siret)
        if establishment is None:
            continue
        return RegistryAnswer(
            siret=siret,
            name=(result.get("nom_raison_sociale") or result.get("nom_complet") or "").strip(),
            address=(establishment.get("adresse") or "").strip(),
            postal_code=(establishment.get("code_postal") or "").strip(),
            commune=(establishment.get("libelle_commune") or "").strip(),
            naf_code=(
                establishment.get("activite_principale") or result.get("activite_principale") or ""
            ).strip(),
            active=establishment.get("etat_administratif") == "A"
            and result.get("etat_administratif", "A") == "A",
            created_on=establishment.get("date_creation") or result.get("date_creation"),
            headcount=str(
                establishment.get("tranche_effectif_salarie")
                or result.get("tranche_effectif_salarie")
                or "NN"
            ),
            head_office=bool(establishment.get("est_siege")),
        )
    return None


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().upper()
    return [w for w in re.split(r"[^A-Z0-9]+", plain) if w and w not in _LEGAL_FORMS]


def names_match(declared: str, registered: str) -> bool:
    """Same company name, give or take accents, legal form, word order and a typo."""
    a, b = _words(declared), _words(registered)
    if not a or not b:
        return False
    if set(a) <= set(b) or set(b) <= set(a):
        return True
    return difflib.SequenceMatcher(None, " ".join(sorted(a)), " ".join(sorted(b))).ratio() >= 0.85


def addresses_match(declared_postal_code: str, declared: str, answer: RegistryAnswer) -> bool:
    """Same postal code, and the street words of the declaration found in the registry's."""
    if declared_postal_code != answer.postal_code:
        return False
    street = [w for w in _words(declared) if not w.isdigit() or len(w) < 5]
    if not street:
        return True
    found = set(_words(answer.address))
    return sum(w in found for w in street) >= max(1, len(street) // 2)


def verdict(company: Company, answer: RegistryAnswer | None) -> str:
    if answer is None:
        return Company.RegistryStatus.NOT_FOUND
    if not answer.active:
        return Company.RegistryStatus.CLOSED
    if names_match(company.name, answer.name) and addresses_match(
        company.postal_code, company.address, answer
    ):
        return Company.RegistryStatus.MATCH
    return Company.RegistryStatus.MISMATCH


def company_registry_check(*, company: Company) -> Company:
    """Ask the registry about the company's SIRET and store its answer and the verdict.

    The question is asked outside any transaction (it can take seconds); only the registry
    fields are written, so an edit made meanwhile is never overwritten. A verified company
    whose establishment is newly found closed is flagged to its territory's moderators."""
    previous = company.registry_status
    try:
        answer = lookup(company.siret)
    except Unreachable:
        status, data = Company.RegistryStatus.UNREACHABLE, company.registry_data or {}
    else:
        status = verdict(company, answer)
        data = answer.as_dict() if answer else {}
        if answer:
            data["name_matches"] = names_match(company.name, answer.name)
            data["address_matches"] = addresses_match(company.postal_code, company.address, answer)
    now = timezone.now()
    with transaction.atomic():
        Company.objects.filter(pk=company.pk, siret=company.siret).update(
            registry_status=status, registry_data=data, registry_checked_at=now
        )
        closed = Company.RegistryStatus.CLOSED
        if status == closed and previous != closed and company.is_verified:
            _tell_moderators_closed(company, day=now.date())
    company.registry_status, company.registry_data, company.registry_checked_at = status, data, now
    return company


def _tell_moderators_closed(company: Company, *, day) -> None:
    """An e-mail to each moderator of the company's département: its establishment closed."""
    for moderator in Moderator.objects.select_related("user").filter(user__is_active=True):
        if moderator.covers(company.departement):
            send_email(
                key=f"accounts.registry_closed:{company.pk}:{day}:{moderator.user_id}",
                to=moderator.user,
                template="accounts/email/registry_closed",
                context={
                    "company": company.name,
                    "siret": company.siret,
                    "url": settings.SITE_URL
                    + reverse("moderation:companies")
                    + "?statut=verified&verdict=closed",
                },
            )


def companies_to_recheck(*, now=None, limit: int):
    """Verified companies whose registry answer is the oldest, past REGISTRY_RECHECK_DAYS."""
    now = now or timezone.now()
    stale = now - timedelta(days=settings.REGISTRY_RECHECK_DAYS)
    return (
        Company.objects.verified()
        .filter(Q(registry_checked_at__isnull=True) | Q(registry_checked_at__lt=stale))
        .order_by(F("registry_checked_at").asc(nulls_first=True), "pk")[:limit]
    )


def registry_summary(company: Company) -> dict:
    """The `registry` object of the API: the answer, the verdict and when it was asked."""
    data = company.registry_data or {}
    return {
        "status": company.registry_status,
        "label": str(VERDICT_LABELS.get(company.registry_status, "")),
        "checked_at": company.registry_checked_at,
        "name": data.get("name"),
        "address": data.get("address"),
        "postal_code": data.get("postal_code"),
        "naf_code": data.get("naf_code"),
        "active": data.get("active"),
        "created_on": data.get("created_on"),
        "headcount": str(HEADCOUNT.get(data.get("headcount", ""), "")) or None,
        "head_office": data.get("head_office"),
        "name_matches": data.get("name_matches"),
        "address_matches": data.get("address_matches"),
    }


def company_locate_address(*, company: Company) -> Company:
    """Place the company at its street address when the Base Adresse Nationale answers surely;
    otherwise it stays at its commune's centre (the offline default). Asked outside any
    transaction; written only if the address is still the one that was placed."""
    try:
        located = ban.geocode(company.address, company.postal_code)
    except ban.Unreachable:
        return company
    if located is None:
        return company
    with transaction.atomic():
        Company.objects.filter(
            pk=company.pk, address=company.address, postal_code=company.postal_code
        ).update(
            latitude=located.latitude,
            longitude=located.longitude,
            location_precision=located.precision,
        )
    company.latitude, company.longitude = located.latitude, located.longitude
    company.location_precision = located.precision
    return company
