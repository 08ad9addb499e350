"""The demo's conversations: every verified demo company with a live listing talks with another
demo company about a listing that answers its trade, so no demo inbox is empty.

A need's company writes to the company of an offer in the same category family (or the offer's
company is contacted by a company whose trade needs that category); each conversation is a short
exchange from one of SCRIPTS, written through the services as people would, the last word to
the listing's company or to its partner, so some are unread on either side.

Called by `bourse.demo.loader` for the demo companies only. Idempotent: a company already in a
demo conversation gets no other, so a second run creates nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from accounts.models import Company, Membership, User
from bourse.listings.models import Listing
from messaging import services
from messaging.models import Conversation

from .catalog import SECTORS

# Each script: the first message (from the company that writes), then the replies in turn.
SCRIPTS = [
    [
        "Bonjour, votre annonce « {titre} » nous intéresse. Est-ce toujours disponible ?",
        "Bonjour ! Oui, toujours. Pour quelle durée en auriez-vous besoin ?",
        "Trois semaines environ, à partir de lundi prochain. Pouvons-nous passer voir ?",
        "Bien sûr, mardi 10 h vous convient-il ? L'adresse est sur notre fiche.",
    ],
    [
        "Bonjour, nous avons vu « {titre} ». Quelles seraient vos conditions ?",
        "Bonjour, c'est à discuter : un échange de services nous irait très bien.",
        "Parfait, je vous appelle demain matin pour en parler.",
    ],
    [
        "Bonjour, pourriez-vous nous en dire plus sur « {titre} » ? Quelles quantités ?",
        "Bonjour, de quoi couvrir un mois de production. Vous êtes à quelle distance ?",
    ],
    [
        "Bonjour, nous sommes voisins et « {titre} » tombe à pic pour nous.",
        "Bonjour, avec plaisir ! Il faudrait passer avant vendredi, nous libérons la place.",
        "Entendu, notre chef d'atelier peut venir jeudi après-midi.",
    ],
    [
        "Bonjour, est-ce que « {titre} » peut se faire en deux fois ?",
        "Bonjour, oui, sans problème. Moitié cette semaine, moitié la suivante ?",
        "C'est idéal. Je vous envoie nos coordonnées de livraison.",
        "Reçu, merci. Je vous confirme le créneau par message demain.",
    ],
    [
        "Bonjour, la CCI nous a parlé de vous : « {titre} » nous dépannerait bien.",
        "Bonjour, volontiers. Avez-vous un moyen de transport ou faut-il livrer ?",
    ],
]


def _writer(company: Company) -> User | None:
    membership = (
        Membership.objects.filter(company=company, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _family(listing: Listing) -> int:
    return listing.category.parent_id or listing.category_id


def _counterpart(company: Company, live: list[Listing], busy: set[int]) -> tuple | None:
    """(listing to write about, company that writes) for `company`: its need answered by
    another company's offer, else its offer wanted by another company, else another company's
    offer its trade needs (a company without a listing of its own still writes). Partners not
    yet in a conversation come first."""
    mine = [listing for listing in live if listing.company_id == company.pk]
    others = sorted(
        (listing for listing in live if listing.company_id != company.pk),
        key=lambda listing: (listing.company_id in busy, listing.pk),
    )
    for need in (listing for listing in mine if listing.kind == "need"):
        for offer in others:
            if offer.kind == "offer" and _family(offer) == _family(need):
                return offer, company
    for offer in (listing for listing in mine if listing.kind == "offer"):
        for need in others:
            if need.kind == "need" and _family(need) == _family(offer):
                return offer, need.company
        wanting = [
            listing.company
            for listing in others
            if offer.category.slug in SECTORS.get(listing.company.naf_code, ([], []))[1]
        ]
        if wanting:
            return offer, wanting[0]
    needs = SECTORS.get(company.naf_code, ([], []))[1]
    for offer in others:
        if offer.kind == "offer" and offer.category.slug in needs:
            return offer, company
    return None


def load(stdout, companies: list[Company]) -> None:
    """A conversation for each of `companies` (the demo's) that has none yet."""
    verified = [c for c in companies if c.status == Company.Status.VERIFIED]
    ids = [c.pk for c in verified]
    live = list(
        Listing.objects.published()
        .filter(company_id__in=ids)
        .select_related("company", "category")
        .order_by("pk")
    )
    busy = set()
    for owner_id, other_id in Conversation.objects.filter(
        Q(owner_company_id__in=ids) | Q(other_company_id__in=ids)
    ).values_list("owner_company_id", "other_company_id"):
        busy |= {owner_id, other_id}
    created = 0
    for company in verified:
        if company.pk in busy:
            continue
        found = _counterpart(company, live, busy)
        if found is None:
            continue
        listing, writing = found
        asker, owner = _writer(writing), _writer(listing.company)
        if asker is None or owner is None:
            continue
        script = SCRIPTS[(company.pk + listing.pk) % len(SCRIPTS)]
        with transaction.atomic():
            conversation, _ = services.conversation_start(
                listing=listing, by=asker, body=script[0].format(titre=listing.title)
            )
            for i, body in enumerate(script[1:], start=1):
                services.message_send(
                    conversation=conversation, by=owner if i % 2 else asker, body=body
                )
        busy |= {listing.company_id, writing.pk}
        created += 1
    stdout.write(f"messaging: {created} demo conversations created.")
