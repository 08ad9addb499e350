"""What a logged-in person sees at home ("/"): reads only, for the pages in bourse/views.py.

The home page depends on who asks:
- a visitor, or someone without a company who is no moderator: the public page;
- a moderator without a company: the moderation dashboard (a redirect);
- a member of a verified company: their dashboard (`member_dashboard`): each open listing with
  what it needs, new suggestions, unread conversations, and what to do next;
- a member of a company waiting for verification (or refused, or suspended): what it can already
  do (prepare drafts), what it waits for and for how long (`waiting_home`).

This module reads listings, matching and messaging together, so it lives at the project level,
above every app (docs/architecture.md): no app imports it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Company, Membership
from bourse.listings.freshness import ASK_BEFORE_EXPIRY
from bourse.listings.models import Listing, ListingPhoto
from bourse.matching.models import Dismissal, Match, SuggestionContact
from messaging import queries as messaging_queries
from messaging.models import Conversation

Status = Listing.Status

# Listings the dashboard follows: every status a company may still act on.
OPEN_STATUSES = (
    Status.DRAFT,
    Status.REJECTED,
    Status.HIDDEN,
    Status.PENDING,
    Status.EXPIRED,
    Status.PUBLISHED,
)
LISTINGS_SHOWN = 12
# A recorded match counts as new for this long.
NEW_SUGGESTION_DAYS = 14
SUGGESTIONS_SHOWN = 5
CONVERSATIONS_SHOWN = 5
# Unread conversations read to sum their counts before counting the messages apart.
CONVERSATIONS_COUNTED = 30


@dataclass
class Need:
    """One thing a listing needs: a sentence, and the link that does it (if any)."""

    text: str
    url: str = ""
    action: str = ""
    # "todo" (the company must act), "wait" (someone else acts), "tip" (would help)
    level: str = "todo"
    post: bool = False  # the link is a button that POSTs (renew)


@dataclass
class ListingRow:
    listing: Listing
    needs: list[Need] = field(default_factory=list)
    url: str = ""


class _Links:
    """The links of the listings' rows: one reverse() per kind of link and page, the listing's
    id then takes the place of 0 (a reverse() per row and need was a fifth of the page)."""

    def __init__(self):
        self.detail = reverse("listings:detail", args=[0])
        self.edit = reverse("listings:edit", args=[0])
        self.renew = reverse("listings:renew", args=[0])
        self.suggestions = reverse("matching:suggestions")

    @staticmethod
    def of(pattern: str, pk: int) -> str:
        return pattern.replace("/0/", f"/{pk}/", 1)


def _listing_needs(
    listing: Listing, *, now: datetime.datetime, can_submit: bool, links: _Links
) -> list[Need]:
    edit = links.of(links.edit, listing.pk)
    status = listing.status
    if status == Status.DRAFT:
        if can_submit:
            return [Need(_("Brouillon à compléter puis soumettre."), edit, _("Reprendre"))]
        return [
            Need(
                _("Brouillon : vous pourrez le soumettre dès que votre entreprise sera vérifiée."),
                edit,
                _("Modifier"),
                "wait",
            )
        ]
    if status in (Status.REJECTED, Status.HIDDEN):
        prefix = _("Refusée par la CCI") if status == Status.REJECTED else _("Masquée par la CCI")
        reason = f"{prefix} : {listing.rejection_reason}" if listing.rejection_reason else prefix
        return [Need(reason + " " + _("Corrigez-la puis soumettez-la."), edit, _("Corriger"))]
    if status == Status.PENDING:
        return [
            Need(
                _("En attente de validation par un conseiller CCI (en général sous %(h)d h).")
                % {"h": settings.MODERATION_TARGET_HOURS},
                level="wait",
            )
        ]
    renew = links.of(links.renew, listing.pk)
    if status == Status.EXPIRED or (listing.expires_at and listing.expires_at <= now):
        return [
            Need(
                _("Expirée : renouvelez-la si elle est toujours d'actualité."),
                renew,
                _("Renouveler"),
                post=True,
            )
        ]
    needs = []
    if listing.expires_at and listing.expires_at <= now + ASK_BEFORE_EXPIRY:
        needs.append(
            Need(
                _("Expire le %(date)s.")
                % {"date": timezone.localtime(listing.expires_at).strftime("%d/%m/%Y")},
                renew,
                _("Renouveler"),
                post=True,
            )
        )
    if not listing.has_photo:
        needs.append(
            Need(
                _("Sans photo : une photo aide beaucoup à trouver un partenaire."),
                edit + "#photos",
                _("Ajouter une photo"),
                "tip",
            )
        )
    if not listing.has_conversation:
        needs.append(
            Need(
                _("Aucune conversation pour l'instant : regardez les suggestions."),
                links.suggestions,
                _("Voir les suggestions"),
                "tip",
            )
        )
    return needs


def listing_rows(company: Company, *, now=None) -> tuple[list[ListingRow], int]:
    """The company's open listings (those needing action first), with what each needs; and
    how many open listings there are in all."""
    now = now or timezone.now()
    qs = (
        Listing.objects.of_company(company)
        .filter(status__in=OPEN_STATUSES)
        # Whether it has any, not how many: two counts joined in one GROUP BY multiplied
        # a listing's photos by its conversations.
        .annotate(
            has_photo=Exists(ListingPhoto.objects.filter(listing=OuterRef("pk"))),
            has_conversation=Exists(Conversation.objects.filter(listing=OuterRef("pk"))),
        )
    )
    listings = list(qs.order_by("-updated_at", "-id")[:200])
    order = {s: i for i, s in enumerate(OPEN_STATUSES)}
    listings.sort(key=lambda item: order[item.status])
    links = _Links()
    rows = [
        ListingRow(
            item,
            _listing_needs(item, now=now, can_submit=company.is_verified, links=links),
            url=links.of(links.detail, item.pk),
        )
        for item in listings[:LISTINGS_SHOWN]
    ]
    return rows, len(listings)


def new_suggestions(company: Company, *, now=None) -> list[dict]:
    """Strong matches recorded lately for the company's live listings, with the other side
    still live, not dismissed and not contacted yet: `{"own_title": str, "other": listing
    (kind, title, company's name), "url": its page, "score": float}`, best first."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=NEW_SUGGESTION_DAYS)
    # The company's live listings, with the title each suggestion names: one query.
    own_titles = dict(
        Listing.objects.published().filter(company=company).values_list("pk", "title")
    )
    own_ids = list(own_titles)
    if not own_ids:
        return []
    matches = list(
        Match.objects.filter(created_at__gte=since)
        .filter(Q(listing_a_id__in=own_ids) | Q(listing_b_id__in=own_ids))
        .order_by("-score", "-id")
        .values_list("listing_a_id", "listing_b_id", "score")[:100]
    )
    own_set = set(own_ids)
    pairs = []
    for a, b, score in matches:
        own, other = (a, b) if a in own_set else (b, a)
        if other not in own_set:
            pairs.append((own, other, score))
    if not pairs:
        return []
    others = (
        Listing.objects.published()
        .exclude(company=company)
        .filter(pk__in={other for _own, other, _score in pairs})
        .exclude(
            Exists(Dismissal.objects.filter(company=company, listing=OuterRef("pk")))
            | Exists(SuggestionContact.objects.filter(company=company, listing=OuterRef("pk")))
            | Exists(Conversation.objects.filter(listing=OuterRef("pk"), other_company=company))
        )
        .select_related("company")
        .only("kind", "title", "company__name")
        .in_bulk()
    )
    found, seen = [], set()
    links = _Links()
    for own_id, other_id, score in pairs:
        if other_id in others and other_id not in seen:
            seen.add(other_id)
            other = others[other_id]
            found.append(
                {
                    "own_title": own_titles[own_id],
                    "other": other,
                    "url": links.of(links.detail, other_id),
                    "score": score,
                }
            )
    return found[:SUGGESTIONS_SHOWN]


def unread_conversations(company: Company) -> tuple[list[messaging_queries.InboxItem], int]:
    """The conversations with messages the company has not read, most recent first (at most
    CONVERSATIONS_SHOWN), and the number of unread messages over all its conversations.

    Up to CONVERSATIONS_COUNTED unread conversations are read in the one query of the rows and
    the total is the sum of their counts; only a company with more counts its messages
    apart (a member usually has a handful of unread conversations)."""
    rows = messaging_queries.inbox(company.pk, limit=CONVERSATIONS_COUNTED, unread_only=True)
    if len(rows) < CONVERSATIONS_COUNTED:
        total = sum(row.unread_count for row in rows)
    else:
        total = messaging_queries.unread_total(company.pk)
    return rows[:CONVERSATIONS_SHOWN], total


def next_steps(
    *, company: Company, rows: list[ListingRow], open_count: int, unread: int, suggestions: int
) -> list[Need]:
    """The few things most worth doing now, most urgent first."""
    steps = []
    if unread:
        steps.append(
            Need(
                _("Répondre aux messages non lus (%(n)d).") % {"n": unread},
                reverse("messaging:inbox"),
                _("Ouvrir la messagerie"),
            )
        )
    todo = [row for row in rows if any(need.level == "todo" for need in row.needs)]
    if todo:
        steps.append(
            Need(
                _("Mettre à jour les annonces qui le demandent (%(n)d).") % {"n": len(todo)},
                "#mes-annonces",
                _("Voir mes annonces"),
            )
        )
    if suggestions:
        steps.append(
            Need(
                ngettext(
                    "Contacter l'entreprise suggérée (%(n)d nouvelle suggestion).",
                    "Contacter les entreprises suggérées (%(n)d nouvelles suggestions).",
                    suggestions,
                )
                % {"n": suggestions},
                reverse("matching:suggestions"),
                _("Voir les suggestions"),
            )
        )
    if not open_count:
        steps.append(
            Need(
                _(
                    "Publier une première annonce : ce que vous pouvez prêter, vendre ou "
                    "donner, ou ce dont vous avez besoin."
                ),
                reverse("listings:create"),
                _("Nouvelle annonce"),
            )
        )
    if not steps:
        steps.append(
            Need(
                _("Tout est à jour. Parcourez les annonces de votre territoire."),
                reverse("listings:search") + f"?near={company.postal_code}",
                _("Parcourir les annonces"),
                "tip",
            )
        )
    return steps


def member_dashboard(membership: Membership) -> dict:
    """The context of a verified company's member's home page."""
    company = membership.company
    rows, open_count = listing_rows(company)
    suggestions = new_suggestions(company)
    conversations, unread = unread_conversations(company)
    return {
        "company": company,
        "listing_rows": rows,
        "open_count": open_count,
        "suggestions": suggestions,
        "unread_conversations": conversations,
        "unread_messages": unread,
        # The navigation's badge too: counted once (messaging.context_processors).
        "unread_total": unread,
        "next_steps": next_steps(
            company=company,
            rows=rows,
            open_count=open_count,
            unread=unread,
            suggestions=len(suggestions),
        ),
    }


def waiting_home(membership: Membership) -> dict:
    """The context of the home page of a company that is not (or no longer) verified."""
    company = membership.company
    rows, open_count = listing_rows(company)
    waiting_since = company.status_changed_at or company.created_at
    target = datetime.timedelta(hours=settings.MODERATION_TARGET_HOURS)
    return {
        "company": company,
        "is_admin": membership.is_admin,
        "listing_rows": rows,
        "open_count": open_count,
        "waiting_since": waiting_since,
        "target_hours": settings.MODERATION_TARGET_HOURS,
        "overdue": company.status == Company.Status.PENDING
        and timezone.now() > waiting_since + target,
    }
