"""The advisors' call list of a territory ("Besoins sans réponse").

A listing is on the list when it is live on the exchange (published, not expired, its company
verified), was published at least `days` days ago (UNANSWERED_AFTER_DAYS, 3 by default) and no
company has opened a conversation about it. Needs come before offers; within each, the oldest
publication first, then the nearest "disponible jusqu'au" date (the most urgent). A listing once
a call ended "résolu" or "n'a plus besoin" leaves the list: the advisor is done with it (the
company itself closes or withdraws the listing; an advisor does not change it).

Each entry carries whom to call (the member who wrote the listing, else an administrator of the
company; their phone, else the company's), the calls already made, and the best counterparts the
matching already recorded (`matching.Match`, strongest first, still live).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Q, When
from django.utils import timezone

from accounts.models import Membership
from bourse.listings.models import Kind, Listing
from bourse.matching.models import Match
from messaging.models import Conversation

from .models import AdvisorCall, AuditLogEntry

SUGGESTIONS = 3
DONE_OUTCOMES = (AdvisorCall.Outcome.RESOLVED, AdvisorCall.Outcome.NO_LONGER_NEEDED)


def after_days() -> int:
    return settings.UNANSWERED_AFTER_DAYS


def unanswered_listings(*, departements: list[str] | None, days: int):
    """The queryset of the call list (departements None: all of France), in call order."""
    settled = AdvisorCall.objects.filter(listing=OuterRef("pk"), outcome__in=DONE_OUTCOMES)
    queryset = (
        Listing.objects.published()
        .filter(published_at__lte=timezone.now() - timedelta(days=days))
        .exclude(Exists(Conversation.objects.filter(listing=OuterRef("pk"))))
        .exclude(Exists(settled))
        .annotate(
            need_first=Case(When(kind=Kind.NEED, then=0), default=1, output_field=IntegerField())
        )
        .select_related("company", "category", "created_by")
        .prefetch_related(
            Prefetch(
                "advisor_calls",
                queryset=AdvisorCall.objects.select_related("by").order_by("-created_at", "-id"),
            )
        )
    )
    if departements is not None:
        queryset = queryset.filter(departement__in=departements)
    return queryset.order_by(
        "need_first", "published_at", F("available_until").asc(nulls_last=True), "pk"
    )


@dataclass
class Contact:
    name: str
    phone: str
    email: str


@dataclass
class Entry:
    listing: Listing
    contact: Contact
    calls: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)


def _contacts(listings) -> dict[int, Contact]:
    """Whom to call per listing: its author while still a member, else a company admin."""
    company_ids = {listing.company_id for listing in listings}
    admins: dict = {}
    members = set()
    memberships = Membership.objects.filter(company_id__in=company_ids).select_related("user")
    # Administrators first (admin < member), then the oldest membership.
    for membership in memberships.order_by("role", "pk"):
        admins.setdefault(membership.company_id, membership.user)
        members.add((membership.user_id, membership.company_id))
    contacts = {}
    for listing in listings:
        user = listing.created_by
        if user is None or (user.pk, listing.company_id) not in members:
            user = admins.get(listing.company_id)
        company = listing.company
        if user is None:
            contacts[listing.pk] = Contact(name="", phone=company.phone, email="")
            continue
        contacts[listing.pk] = Contact(
            name=user.display_name, phone=user.phone or company.phone, email=user.email
        )
    return contacts


def _suggestions(listings) -> dict[int, list[Listing]]:
    """The recorded matches of each listing whose counterpart is still live, best first."""
    ids = [listing.pk for listing in listings]
    matches = Match.objects.filter(Q(listing_a_id__in=ids) | Q(listing_b_id__in=ids)).order_by(
        "-score", "pk"
    )
    pairs = [(m.listing_a_id, m.listing_b_id) for m in matches]
    other_ids = {a for a, _b in pairs} | {b for _a, b in pairs}
    live = Listing.objects.published().filter(pk__in=other_ids).select_related("company")
    live = {listing.pk: listing for listing in live}
    found: dict[int, list[Listing]] = {pk: [] for pk in ids}
    wanted = set(ids)
    for a, b in pairs:
        for mine, other in ((a, b), (b, a)):
            if mine in wanted and other in live and len(found[mine]) < SUGGESTIONS:
                found[mine].append(live[other])
    return found


def entries(listings) -> list[Entry]:
    """The call list's entries for one page of `unanswered_listings`."""
    listings = list(listings)
    contacts = _contacts(listings)
    suggestions = _suggestions(listings)
    return [
        Entry(
            listing=listing,
            contact=contacts[listing.pk],
            calls=list(listing.advisor_calls.all()),
            suggestions=suggestions[listing.pk],
        )
        for listing in listings
    ]


def call_record(*, listing: Listing, by, outcome: str, note: str = "") -> AdvisorCall:
    """Record an advisor's call about `listing`, with its audit log entry, in one transaction.
    The caller checked that the listing lies in the advisor's territory."""
    with transaction.atomic():
        call = AdvisorCall.objects.create(
            listing=listing, by=by, by_email=by.email, outcome=outcome, note=note
        )
        AuditLogEntry.objects.record(
            actor=by,
            action=AuditLogEntry.Action.LISTING_CALL,
            target_type="listing",
            target_id=listing.pk,
            departement=listing.departement,
            reason=note,
            data={"outcome": outcome, "call": call.pk},
        )
    return call
