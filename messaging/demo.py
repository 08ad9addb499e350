"""Demo conversations: needs contacting complementary offers (same category), a few messages each.

Idempotent: a conversation that exists already is left as it is.
"""

from accounts.models import Company, Membership
from bourse.listings.models import Listing

from . import services
from .models import Conversation

SCRIPTS = [
    [
        "Bonjour, nous cherchons exactement ce que vous proposez. Est-ce toujours disponible ?",
        "Bonjour ! Oui, c'est disponible. Pour quelle durée en auriez-vous besoin ?",
        "Trois semaines environ, à partir de lundi prochain. Pouvons-nous passer voir ?",
        "Bien sûr, mardi 10 h vous convient-il ? L'adresse est sur notre fiche.",
    ],
    [
        "Bonjour, votre annonce nous intéresse. Quelles sont vos conditions ?",
        "Bonjour, c'est à discuter : un échange de services nous irait très bien.",
        "Parfait, je vous appelle demain pour en parler.",
    ],
    [
        "Bonjour, pourriez-vous nous en dire plus sur les quantités disponibles ?",
        "Bonjour, nous avons de quoi couvrir un mois de production. Vous êtes loin de Lyon ?",
    ],
]
MAX_CONVERSATIONS = 6


def _member(company: Company):
    membership = (
        Membership.objects.filter(company=company, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def load(rng, stdout) -> None:
    offers = list(
        Listing.objects.published()
        .filter(kind="offer")
        .select_related("company", "category")
        .order_by("pk")
    )
    needs = list(
        Listing.objects.published()
        .filter(kind="need")
        .select_related("company", "category")
        .order_by("pk")
    )
    pairs = []
    for offer in offers:
        if len(pairs) >= MAX_CONVERSATIONS:
            break
        need = next(
            (
                n
                for n in needs
                if n.company_id != offer.company_id
                and (
                    n.category_id == offer.category_id
                    or n.category.parent_id == offer.category.parent_id
                )
            ),
            None,
        )
        if need is None:
            continue
        asker, owner = _member(need.company), _member(offer.company)
        if asker is not None and owner is not None:
            pairs.append((offer, asker, owner))
    # The same pairs on every run: only the missing conversations are created.
    created = 0
    for index, (offer, asker, owner) in enumerate(pairs):
        company_id = asker.membership.company_id
        if Conversation.objects.filter(listing=offer, other_company_id=company_id).exists():
            continue
        script = SCRIPTS[index % len(SCRIPTS)]
        conversation, _ = services.conversation_start(listing=offer, by=asker, body=script[0])
        for i, body in enumerate(script[1:], start=1):
            services.message_send(
                conversation=conversation, by=owner if i % 2 else asker, body=body
            )
        created += 1
    stdout.write(f"Messaging: {created} demo conversation(s) created.")
