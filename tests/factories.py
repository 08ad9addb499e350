"""factory_boy factories shared by every test module. Extend here, per model."""

import random
from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Company, Membership, Moderator, User
from bourse.geo import data as geo

PASSWORD = "motdepasse-solide-42"


def luhn_complete(digits: str) -> str:
    """Append the check digit that makes `digits` pass the Luhn test."""
    for check in "0123456789":
        candidate = digits + check
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch)
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def make_siret(rng: random.Random | None = None) -> str:
    """A random SIRET whose SIREN and SIRET both pass the Luhn test."""
    rng = rng or random
    while True:
        siren = luhn_complete(f"{rng.randrange(10**7, 10**8):08d}")
        if siren == "356000000":
            continue
        return luhn_complete(siren + f"{rng.randrange(1, 9999):04d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@entreprise-exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    class Params:
        place = factory.LazyAttribute(lambda o: geo.lookup(o.postal_code))

    name = factory.Sequence(lambda n: f"Entreprise {n}")
    siret = factory.LazyFunction(make_siret)
    siren = factory.LazyAttribute(lambda o: o.siret[:9])
    address = "12 rue de la République"
    postal_code = "69002"
    commune = factory.LazyAttribute(lambda o: o.place.commune)
    departement = factory.LazyAttribute(lambda o: o.place.departement)
    latitude = factory.LazyAttribute(lambda o: o.place.latitude)
    longitude = factory.LazyAttribute(lambda o: o.place.longitude)
    status = Company.Status.VERIFIED
    status_changed_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Membership.Role.ADMIN


class ModeratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Moderator

    user = factory.SubFactory(UserFactory)
    is_national = False
    departements = factory.LazyFunction(lambda: ["69", "42"])


def listing_factory_defaults() -> dict:
    now = timezone.now()
    return {"published_at": now, "expires_at": now + timedelta(days=60)}


# --- Listings (added by the matching area; listings/search tests may reuse them) --------------
class CategoryFactory(factory.django.DjangoModelFactory):
    """A category of its own (slug never clashing with the seeded taxonomy). Pass parent=... for
    a child category."""

    class Meta:
        model = "listings.Category"

    slug = factory.Sequence(lambda n: f"categorie-test-{n}")
    name = factory.Sequence(lambda n: f"Catégorie de test {n}")
    parent = None


class ListingFactory(factory.django.DjangoModelFactory):
    """A published, live listing (an offer) of a verified company, located at the company's
    postal code unless postal_code=... is given."""

    class Meta:
        model = "listings.Listing"

    class Params:
        place = factory.LazyAttribute(lambda o: geo.lookup(o.postal_code))

    company = factory.SubFactory(CompanyFactory)
    kind = "offer"
    title = factory.Sequence(lambda n: f"Annonce {n}")
    description = "Description de l'annonce."
    category = factory.SubFactory(CategoryFactory)
    terms = "to_discuss"
    status = "published"
    postal_code = factory.LazyAttribute(lambda o: o.company.postal_code)
    commune = factory.LazyAttribute(lambda o: o.place.commune)
    departement = factory.LazyAttribute(lambda o: o.place.departement)
    latitude = factory.LazyAttribute(lambda o: o.place.latitude)
    longitude = factory.LazyAttribute(lambda o: o.place.longitude)
    radius_km = 50
    published_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=60))


# --- Moderation (added by the moderation area) -------------------------------------------------
class ReportFactory(factory.django.DjangoModelFactory):
    """An open report of a company in Rhône (pass target_type/target_id/departement to change)."""

    class Meta:
        model = "moderation.Report"

    reporter = factory.SubFactory(UserFactory)
    reporter_company = factory.SubFactory(CompanyFactory)
    target_type = "company"
    target_id = factory.LazyFunction(lambda: CompanyFactory().pk)
    departement = "69"
    reason = "Cette entreprise ne répond jamais et publie de fausses annonces."
