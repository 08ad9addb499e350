"""factory_boy factories, one per model, shared by every test module: tests build their rows
here (or through the services when the path is what they test), never with `objects.create`.

A factory makes a valid, ordinary row: a verified company in Lyon, a published offer of it, a
conversation between two companies about that offer. Pass what the test is about; leave the
rest to the factory."""

import random
from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from accounts.models import Company, Membership, Moderator, User
from bourse.geo import data as geo

PASSWORD = "motdepasse-solide-42"


def signup_details(**changes) -> dict:
    """What the sign-up asks besides the e-mail and the password, the same for the page's form
    and the app API's JSON (the test client sends True as "True", which the page reads as
    ticked)."""
    return {
        "first_name": "Claire",
        "last_name": "Martin",
        "job_title": "Gérante",
        "phone": "06 12 34 56 78",
        "terms_accepted": True,
        **changes,
    }


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
    # An ordinary account accepted the terms in force at sign-up (accounts/terms.py); pass
    # terms_accepted_at=None for one made by an older app client.
    terms_version = factory.LazyFunction(lambda: settings.TERMS_VERSION)
    terms_accepted_at = factory.LazyFunction(timezone.now)

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
    postal code unless postal_code=... is given (latitude=/longitude= move the point itself).

    `published_ago` and `expires_in` (timedeltas) place it in time. The one way to build a
    listing in tests; tests of the lifecycle itself go through the services."""

    class Meta:
        model = "listings.Listing"

    class Params:
        place = factory.LazyAttribute(lambda o: geo.lookup(o.postal_code))
        published_ago = timedelta(0)
        expires_in = timedelta(days=60)

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
    published_at = factory.LazyAttribute(lambda o: timezone.now() - o.published_ago)
    expires_at = factory.LazyAttribute(lambda o: timezone.now() + o.expires_in)


class ListingPhotoFactory(factory.django.DjangoModelFactory):
    """A photo row (files named, not written: for what reads rows; photo uploads are tested
    through the pipeline)."""

    class Meta:
        model = "listings.ListingPhoto"

    listing = factory.SubFactory(ListingFactory)
    image = factory.Sequence(lambda n: f"listings/photo-{n}.jpg")
    thumbnail = factory.Sequence(lambda n: f"listings/photo-{n}_t.jpg")
    width = 40
    height = 30


# --- Accounts -----------------------------------------------------------------------------------
class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation to join a company."""

    class Meta:
        model = "accounts.Invitation"

    company = factory.SubFactory(CompanyFactory)
    email = factory.Sequence(lambda n: f"invite{n}@entreprise-exemple.fr")
    invited_by = None


# --- Matching -----------------------------------------------------------------------------------
class MatchFactory(factory.django.DjangoModelFactory):
    """A recorded match between a need and an offer made in that order, so the pair is in id
    order as the database requires (`match_pair_ordered`); pass both listings otherwise."""

    class Meta:
        model = "matching.Match"

    listing_a = factory.SubFactory(ListingFactory, kind="need")
    listing_b = factory.SubFactory(ListingFactory, kind="offer")
    score = 0.8
    reasons = factory.LazyFunction(dict)


class DismissalFactory(factory.django.DjangoModelFactory):
    """A suggestion a company chose to hide."""

    class Meta:
        model = "matching.Dismissal"

    listing = factory.SubFactory(ListingFactory)
    company = factory.SubFactory(CompanyFactory)


class SavedSearchFactory(factory.django.DjangoModelFactory):
    """A saved search of a company, without a place unless one is given."""

    class Meta:
        model = "matching.SavedSearch"

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Recherche {n}")
    q = ""


class SavedSearchHitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "matching.SavedSearchHit"

    saved_search = factory.SubFactory(SavedSearchFactory)
    listing = factory.SubFactory(ListingFactory)


# --- Notifications ------------------------------------------------------------------------------
class NotificationFactory(factory.django.DjangoModelFactory):
    """An unread notification of a company."""

    class Meta:
        model = "notifications.Notification"

    company = factory.SubFactory(CompanyFactory)
    kind = "listing_status"
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = ""
    url = ""


# --- Messaging ----------------------------------------------------------------------------------
class ConversationFactory(factory.django.DjangoModelFactory):
    """A conversation about a listing between its company and another company (no message:
    pass them through MessageFactory, or start it with `messaging.services.conversation_start`
    when the test is about starting one)."""

    class Meta:
        model = "messaging.Conversation"

    listing = factory.SubFactory(ListingFactory)
    owner_company = factory.SelfAttribute("listing.company")
    other_company = factory.SubFactory(CompanyFactory, postal_code="42000")
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")


class MessageFactory(factory.django.DjangoModelFactory):
    """A message of the conversation's other company (pass company= and sender= to change);
    it becomes the conversation's last message, as `message_send` makes it."""

    class Meta:
        model = "messaging.Message"

    conversation = factory.SubFactory(ConversationFactory)
    company = factory.SelfAttribute("conversation.other_company")
    sender = None
    body = factory.Sequence(lambda n: f"Message {n}")
    created_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        message = super()._create(model_class, *args, **kwargs)
        type(message.conversation).objects.filter(pk=message.conversation_id).update(
            last_message=message
        )
        message.conversation.last_message = message
        return message


class ReadMarkFactory(factory.django.DjangoModelFactory):
    """How far a company has read a conversation."""

    class Meta:
        model = "messaging.ReadMark"

    conversation = factory.SubFactory(ConversationFactory)
    company = factory.SelfAttribute("conversation.owner_company")
    last_read_message_id = 0


class UserReadMarkFactory(factory.django.DjangoModelFactory):
    """How far one person has read a conversation (reminders read it)."""

    class Meta:
        model = "messaging.UserReadMark"

    conversation = factory.SubFactory(ConversationFactory)
    user = factory.SubFactory(UserFactory)
    last_read_message_id = 0


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
