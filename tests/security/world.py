"""The authorization matrix's world: ten personas and the objects the URLs point at.

The object of every URL belongs to the company "Alpha" (verified, Lyon, 69): its listing, its
members, its invitation, its conversation with "Tiers" (a company no persona belongs to). Only
`member` and `admin` belong to Alpha, so every other persona who reaches an Alpha object by id is
guessing an id that is not theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Company, Membership
from bourse.listings.models import Crisis
from tests import factories

PERSONAS = (
    "anon",  # not logged in
    "pending",  # member of a pending company (Lyon)
    "member",  # member of Alpha (verified, Lyon): the objects' company
    "other",  # member of another verified company (Saint-Étienne)
    "admin",  # admin of Alpha
    "suspended",  # member of a suspended company (Lyon)
    "mod",  # moderator of the territory (69)
    "mod_far",  # moderator of another territory (13)
    "national",  # national moderator
    "staff",  # Django staff, no company
)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


def build() -> World:
    world = World()
    alpha = factories.CompanyFactory(name="Alpha", postal_code="69002")
    other = factories.CompanyFactory(name="Autre", postal_code="42000")
    tiers = factories.CompanyFactory(name="Tiers", postal_code="69003")
    pending = factories.CompanyFactory(status=Company.Status.PENDING, postal_code="69001")
    suspended = factories.CompanyFactory(status=Company.Status.SUSPENDED, postal_code="69004")
    admin = factories.MembershipFactory(company=alpha, role=Membership.Role.ADMIN)
    member = factories.MembershipFactory(company=alpha, role=Membership.Role.MEMBER)
    world.users = {
        "anon": None,
        "pending": factories.MembershipFactory(company=pending).user,
        "member": member.user,
        "other": factories.MembershipFactory(company=other).user,
        "admin": admin.user,
        "suspended": factories.MembershipFactory(company=suspended).user,
        "mod": factories.ModeratorFactory(departements=["69"]).user,
        "mod_far": factories.ModeratorFactory(departements=["13"]).user,
        "national": factories.ModeratorFactory(is_national=True, departements=[]).user,
        "staff": factories.UserFactory(is_staff=True),
    }
    listing = factories.ListingFactory(company=alpha)
    need = factories.ListingFactory(company=tiers, kind="need")
    factories.MatchFactory(listing_a=listing, listing_b=need)
    pending_listing = factories.ListingFactory(company=alpha, status="pending", published_at=None)
    photo = factories.ListingPhotoFactory(listing=listing)
    conversation = factories.ConversationFactory(listing=need, other_company=alpha)
    factories.MessageFactory(conversation=conversation, company=alpha, sender=member.user)
    invitation = factories.InvitationFactory(company=alpha, email="invitee@exemple.fr")
    saved = factories.SavedSearchFactory(company=alpha)
    notification = factories.NotificationFactory(company=alpha)
    report = factories.ReportFactory(target_id=alpha.pk)
    crisis = Crisis.objects.create(
        title="Inondations",
        message="Besoins urgents.",
        departements=["69"],
        starts_at=timezone.now(),
        opened_by_email="conseiller@exemple.fr",
    )
    world.ids = {
        "company": alpha.pk,
        "pending_company": pending.pk,
        "membership": member.pk,
        "invitation": invitation.pk,
        "token": invitation.token,
        "listing": listing.pk,
        "pending_listing": pending_listing.pk,
        "photo": photo.pk,
        "other_listing": need.pk,
        "conversation": conversation.pk,
        "saved_search": saved.pk,
        "notification": notification.pk,
        "report": report.pk,
        "crisis": crisis.pk,
        "siret": alpha.siret,
    }
    return world
