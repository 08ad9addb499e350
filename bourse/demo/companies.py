"""The demo's companies: ~150 in seven départements, their people, two moderators and a
superuser. Called by `bourse.demo.loader` with a seeded random generator.

Idempotent: the whole plan is drawn from the generator first, every time (so the parts that run
after this one get the same random stream), then only what is missing is created. Everything
goes through the services, as a real sign-up and a real moderator would. A company's activity
(its NAF code) decides what its listings offer and need (`catalog.SECTORS`).

A little over 500 lines, half of them the tables the demo draws from (trades, names, streets).
"""

from __future__ import annotations

import random
import unicodedata
import zlib
from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth.hashers import make_password
from stdnum.fr import siret as stdnum_siret

from accounts import services
from accounts.models import Company, Membership, User
from bourse.geo import data as geo
from bourse.moderation import services as moderation

# One password for every demo account, printed by `manage.py demo_logins`.
DEMO_PASSWORD = "demo-bourse-2026"  # noqa: S105 - public demo credentials
SUPERUSER_EMAIL = "admin@example.fr"
REGIONAL_MODERATOR = ("moderateur.rhone@example.fr", ["69", "42"])
NATIONAL_MODERATOR = "moderateur.national@example.fr"

# Companies per département.
DEPARTEMENTS = {"69": 34, "42": 18, "76": 20, "14": 15, "59": 26, "62": 15, "13": 22}

# Easy logins: the first company of each département, in its main city (and one pending).
EASY_LOGINS = [
    ("demo.lyon@example.fr", "69", "69003", "verified"),
    ("demo.saint-etienne@example.fr", "42", "42000", "verified"),
    ("demo.rouen@example.fr", "76", "76000", "verified"),
    ("demo.caen@example.fr", "14", "14000", "verified"),
    ("demo.lille@example.fr", "59", "59000", "verified"),
    ("demo.arras@example.fr", "62", "62000", "verified"),
    ("demo.marseille@example.fr", "13", "13002", "verified"),
    ("demo.attente@example.fr", "69", "69100", "pending"),
]
PENDING_COUNT = 15
SUSPENDED_COUNT = 2

# (name pattern, NAF code, description). {nom} is a surname, {lieu} the commune.
ACTIVITIES = [
    ("Menuiserie {nom}", "16.23Z", "Menuiserie bois et agencement sur mesure pour les pros."),
    (
        "Transports {nom}",
        "49.41A",
        "Transport routier de marchandises, porteurs et semi-remorques.",
    ),
    (
        "Boulangerie {nom}",
        "10.71C",
        "Boulangerie-pâtisserie artisanale, livraison aux restaurants.",
    ),
    ("Garage {nom}", "45.20A", "Entretien et réparation de véhicules légers et utilitaires."),
    ("Imprimerie {nom}", "18.12Z", "Impression offset et numérique, façonnage."),
    ("Plasturgie {lieu}", "22.29A", "Injection plastique, petites et moyennes séries."),
    ("Fonderie {nom}", "24.51Z", "Fonderie de fonte grise, pièces unitaires et séries."),
    ("Mécanique de précision {nom}", "25.62B", "Usinage CN, tournage et fraisage de précision."),
    ("Chaudronnerie {nom}", "25.29Z", "Chaudronnerie inox et acier, cuves et réservoirs."),
    ("Entrepôts {lieu}", "52.10B", "Entreposage sec et sous température dirigée."),
    ("Logistique {nom}", "52.29A", "Organisation de transport et préparation de commandes."),
    ("Textiles {nom}", "13.30Z", "Ennoblissement textile, teinture et apprêts."),
    ("Brasserie de {lieu}", "11.05Z", "Brasserie artisanale, bières en fût et en bouteille."),
    ("Conserverie {nom}", "10.39A", "Conserves de légumes et plats cuisinés régionaux."),
    ("Électricité {nom}", "43.21A", "Installations électriques industrielles et tertiaires."),
    ("Maçonnerie {nom}", "43.99C", "Gros œuvre, rénovation de bâtiments professionnels."),
    ("Cartonnages de {lieu}", "17.21A", "Fabrication de cartons ondulés et emballages sur mesure."),
    ("Scierie {nom}", "16.10A", "Sciage de résineux et feuillus, bois de charpente."),
    ("Froid {nom}", "43.22B", "Installation et maintenance de chambres froides."),
    ("Informatique {nom}", "62.02A", "Conseil en systèmes informatiques et infogérance des PME."),
    ("Cabinet {nom} Conseil", "70.22Z", "Conseil en organisation et gestion de crise."),
    ("Nettoyage {lieu} Services", "81.22Z", "Nettoyage industriel et remise en état de locaux."),
    ("Métallerie {nom}", "25.11Z", "Structures métalliques, escaliers et garde-corps."),
    ("Peintures {nom}", "43.34Z", "Peinture industrielle et revêtements de sols."),
    ("Emballages {nom}", "22.22Z", "Films et sacs plastiques, emballages alimentaires."),
    ("Laboratoire {nom}", "71.20B", "Analyses et essais, contrôle qualité pour l'industrie."),
    ("Traiteur {nom}", "56.21Z", "Traiteur pour entreprises et événements."),
    ("Vergers de {lieu}", "01.24Z", "Production de pommes et poires, stockage en chambre froide."),
    ("Location Matériel {lieu}", "77.32Z", "Location d'engins de chantier et de manutention."),
    ("Ateliers {nom}", "33.12Z", "Réparation et maintenance de machines industrielles."),
]
SURNAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Gautier",
    "Roger",
    "Roche",
    "Roy",
    "Noël",
    "Meyer",
    "Lucas",
    "Meunier",
    "Jean",
    "Perez",
    "Marchand",
    "Dufour",
    "Blanchard",
    "Marie",
    "Barbier",
    "Brun",
    "Dumas",
    "Brunet",
    "Schmitt",
    "Leroux",
    "Colin",
]
FIRST_NAMES = [
    "Camille",
    "Nicolas",
    "Julie",
    "Thomas",
    "Sophie",
    "Julien",
    "Claire",
    "Mathieu",
    "Laura",
    "Antoine",
    "Émilie",
    "Pierre",
    "Céline",
    "Alexandre",
    "Sandrine",
    "Romain",
    "Nathalie",
    "Sébastien",
    "Aurélie",
    "Olivier",
    "Isabelle",
    "François",
    "Hélène",
    "Karim",
    "Fatima",
    "Yann",
    "Marion",
    "Guillaume",
    "Chloé",
    "Benoît",
    "Inès",
    "Hugo",
    "Léa",
    "Stéphane",
]
LEGAL_FORMS = ["SARL", "SAS", "SAS", "SARL", "", "EURL", "SA"]
STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "rue du Moulin",
    "zone industrielle des Ponts",
    "rue de l'Industrie",
    "chemin des Vignes",
    "boulevard Gambetta",
    "rue Pasteur",
    "avenue de la Gare",
    "rue des Artisans",
    "parc d'activités du Centre",
    "rue Victor Hugo",
    "impasse des Forges",
    "route nationale 7",
    "rue du Port",
    "allée des Tanneurs",
]


@dataclass
class PlannedPerson:
    email: str
    first_name: str
    last_name: str
    phone: str


@dataclass
class PlannedCompany:
    name: str
    siret: str
    naf_code: str
    description: str
    address: str
    postal_code: str
    phone: str
    website: str
    status: str
    people: list[PlannedPerson] = field(default_factory=list)


def luhn_complete(digits: str) -> str:
    """Append the check digit that makes `digits` pass the Luhn test."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # these digits are doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def make_siret(rng: random.Random) -> str:
    siren = luhn_complete(f"{rng.randrange(10**7, 10**8):08d}")
    siret = luhn_complete(siren + f"{rng.randrange(1, 10**4):04d}")
    # Validated by the library, as the application will.
    return stdnum_siret.validate(siret)


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in folded).split())


def short_commune(name: str) -> str:
    """'Lyon 3e Arrondissement' → 'Lyon'."""
    return name.split(" ")[0] if "Arrondissement" in name else name


def company_name(pattern: str, surname: str, commune: str) -> str:
    """Fill a name pattern, with French elision: 'Vergers de Arras' → 'Vergers d'Arras'."""
    name = pattern.format(nom=surname, lieu=commune)
    first = unicodedata.normalize("NFKD", commune[:1]).lower()[:1]
    if first and first in "aeiouyh" and f" de {commune}" in name:
        name = name.replace(f" de {commune}", f" d'{commune}")
    return name


def _places_by_departement() -> dict[str, list[geo.Place]]:
    table: dict[str, list[geo.Place]] = {code: [] for code in DEPARTEMENTS}
    for place in geo.places():
        if place.departement in table and place.population > 0:
            table[place.departement].append(place)
    return table


def _phone(rng: random.Random, departement: str) -> str:
    prefix = {"69": "04", "42": "04", "13": "04", "76": "02", "14": "02", "59": "03", "62": "03"}
    digits = [f"{rng.randrange(10, 100)}" for _ in range(4)]
    return f"{prefix[departement]} {' '.join(digits)}"


def plan(rng: random.Random) -> list[PlannedCompany]:
    """The full data set, drawn from the generator in a fixed order."""
    places = _places_by_departement()
    companies: list[PlannedCompany] = []
    used_names: set[str] = set()
    easy = {(d, status): (email, pc) for email, d, pc, status in EASY_LOGINS}
    for departement, count in DEPARTEMENTS.items():
        candidates = places[departement]
        weights = [p.population for p in candidates]
        for index in range(count):
            easy_login = easy.get((departement, "verified")) if index == 0 else None
            if departement == "69" and index == 1:
                easy_login = easy.get(("69", "pending"))
            place = rng.choices(candidates, weights=weights)[0]
            if easy_login:
                place = geo.lookup(easy_login[1])
            pattern, naf, description = rng.choice(ACTIVITIES)
            surname = rng.choice(SURNAMES)
            name = company_name(pattern, surname, short_commune(place.commune))
            form = rng.choice(LEGAL_FORMS)
            if name in used_names:
                name = f"{name} et Fils"
            used_names.add(name)
            full_name = f"{name} {form}".strip()
            domain = f"{slug(name)}.fr"
            people = []
            for _ in range(2 if rng.random() < 0.3 else 1):
                first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
                people.append(
                    PlannedPerson(
                        email=f"{slug(first)}.{slug(last)}@{domain}",
                        first_name=first,
                        last_name=last,
                        phone=_phone(rng, departement),
                    )
                )
            if easy_login:
                people[0].email = easy_login[0]
            if len(people) == 2 and people[1].email == people[0].email:
                people.pop()
            companies.append(
                PlannedCompany(
                    name=full_name,
                    siret=make_siret(rng),
                    naf_code=naf,
                    description=description,
                    address=f"{rng.randrange(1, 120)} {rng.choice(STREETS)}",
                    postal_code=place.postal_code,
                    phone=_phone(rng, departement),
                    website=f"https://www.{domain}" if rng.random() < 0.6 else "",
                    status="verified",
                    people=people,
                )
            )
    # Statuses: fixed by position so the easy logins keep theirs.
    easy_emails = {email for email, *_ in EASY_LOGINS}
    others = [c for c in companies if c.people[0].email not in easy_emails]
    chosen = rng.sample(others, PENDING_COUNT + SUSPENDED_COUNT)
    for company in chosen[:PENDING_COUNT]:
        company.status = "pending"
    for company in chosen[PENDING_COUNT:]:
        company.status = "suspended"
    for company in companies:
        if company.people[0].email == "demo.attente@example.fr":
            company.status = "pending"
    return companies


def _moderator_create(*, email: str, departements: list[str], national: bool):
    return moderation.moderator_create(
        email=email, departements=departements, national=national, password=DEMO_PASSWORD
    )


@cache
def _demo_password_hash() -> str:
    # Hashing is deliberately slow (~0.3 s); the demo has ~200 accounts with one password.
    return make_password(DEMO_PASSWORD)


def _ensure_user(person: PlannedPerson) -> User:
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = services.user_create(
            email=person.email,
            password=None,
            password_hash=_demo_password_hash(),
            first_name=person.first_name,
            last_name=person.last_name,
            phone=person.phone,
            job_title=job_title(person.email),
            email_verified=True,
            terms_accepted=True,
        )
    return user


JOB_TITLES = (
    "Responsable d'exploitation",
    "Responsable des achats",
    "Responsable logistique",
    "Responsable de production",
    "Responsable maintenance",
    "Responsable qualité",
    "Responsable de site",
    "Responsable des services généraux",
)


def job_title(email: str) -> str:
    """A job title read from the address, not drawn from the generator: adding it left every
    other draw of the demo set where it was."""
    return JOB_TITLES[zlib.crc32(email.encode()) % len(JOB_TITLES)]


def demo_companies(planned: list[PlannedCompany]) -> list[Company]:
    """The companies of the demo set: a planned SIRET whose planned first person is a member.
    A company registered by hand is never one of them, whatever the database holds."""
    admins = {p.siret: p.people[0].email for p in planned}
    found = Company.objects.filter(siret__in=admins).prefetch_related("memberships__user")
    return sorted(
        (
            company
            for company in found
            if any(m.user.email == admins[company.siret] for m in company.memberships.all())
        ),
        key=lambda company: company.pk,
    )


def load(rng: random.Random, stdout) -> list[Company]:
    """Create what is missing of the demo set; returns the demo companies (all statuses)."""
    companies = plan(rng)

    if not User.objects.filter(email=SUPERUSER_EMAIL).exists():
        services.user_create(
            email=SUPERUSER_EMAIL,
            password=DEMO_PASSWORD,
            first_name="Sophie",
            last_name="Lemaire",
            job_title="Administratrice de la bourse",
            email_verified=True,
            terms_accepted=True,
            is_superuser=True,
        )
    regional = _moderator_create(
        email=REGIONAL_MODERATOR[0], departements=REGIONAL_MODERATOR[1], national=False
    )
    national = _moderator_create(email=NATIONAL_MODERATOR, departements=[], national=True)
    for moderator, (first, last, title) in (
        (
            regional,
            (
                "Mathilde",
                "Garnier",
                "Conseillère entreprises, CCI Lyon Métropole Saint-Étienne Roanne",
            ),
        ),
        (national, ("Bertrand", "Lefèvre", "Chargé de mission, CCI France")),
    ):
        services.user_update(user=moderator.user, first_name=first, last_name=last, job_title=title)
        if not moderator.user.has_accepted_current_terms:
            services.terms_accept(user=moderator.user)

    created = 0
    for planned in companies:
        if Company.objects.filter(siret=planned.siret).exists():
            continue
        admin = _ensure_user(planned.people[0])
        if Membership.objects.filter(user=admin).exists():
            continue
        company = services.company_create(
            by=admin,
            name=planned.name,
            siret=planned.siret,
            address=planned.address,
            postal_code=planned.postal_code,
            phone=planned.phone,
            website=planned.website,
            description=planned.description,
            naf_code=planned.naf_code,
        )
        for person in planned.people[1:]:
            colleague = _ensure_user(person)
            if not Membership.objects.filter(user=colleague).exists():
                invitation = services.invitation_create(
                    company=company, by=admin, email=colleague.email
                )
                services.invitation_accept(invitation=invitation, user=colleague)
        if planned.status in ("verified", "suspended"):
            moderator = regional if regional.covers(company.departement) else national
            moderation.company_verify(company=company, by=moderator.user)
        if planned.status == "suspended":
            moderation.company_suspend(
                company=company,
                by=national.user,
                reason="Signalements répétés d'annonces trompeuses (données de démonstration).",
            )
        created += 1
    stdout.write(f"accounts: {created} companies created ({len(companies)} in the demo set).")
    return demo_companies(companies)
