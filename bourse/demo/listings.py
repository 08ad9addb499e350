"""The demo's listings: ~160 offers and needs of the demo companies, through the services.

Called by `bourse.demo.loader` after the companies, with its seeded generator, for the demo
companies only (never a company registered by hand). The whole plan is drawn first, every time
(so the parts after this one get the same random stream), then only the listings missing (by
company and title) are created: running it twice changes nothing.

What a company offers and needs follows its trade (`catalog.SECTORS`); a catalogue entry is
used at most twice, and once per département. Most listings are published (published_at spread
over the last 50 days); some wait for the moderators, a few are drafts, rejected, hidden,
fulfilled, withdrawn or expired. One published listing in four carries a photo drawn by
`photos.demo_image`, stored through the photo pipeline. Complementary pairs (`catalog.PAIRS`)
sit at nearby companies of fitting trades so matching has something to show.

Publication happens quietly (no `listing_published` signal): the demo's matching part computes
the suggestions once, instead of one rematch per listing.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Company, User
from bourse.geo import data as geo
from bourse.listings import services
from bourse.listings.models import Category, Listing, lifetime
from bourse.moderation import services as moderation_services

from .catalog import CATALOG, PAIRS, SECTORS, fits
from .photos import demo_image

TARGET = 200
MAX_USES = 2
# Listings in each status but `published`, and photos, per COUNTS_PER listings.
COUNTS_PER = 600
STATUS_COUNTS = {
    "pending": 30,
    "draft": 12,
    "rejected": 6,
    "hidden": 3,
    "fulfilled": 18,
    "withdrawn": 8,
    "expired": 15,
}
PHOTO_COUNT = 150
RADII = [10, 20, 30, 50, 50, 50, 80, 100, 150, 200]
REJECT_REASONS = [
    "La description ne précise pas ce qui est proposé : ajoutez l'état et les quantités.",
    "Annonce commerciale sans lien avec l'entraide : reformulez-la.",
    "Les photos ne correspondent pas à l'annonce.",
]
HIDE_REASONS = ["Annonce en double avec une autre de vos annonces.", "Signalée comme déjà pourvue."]


@dataclass
class Planned:
    company: Company
    kind: str
    category: str
    title: str
    description: str
    quantity: Decimal | None
    unit: str
    terms: str
    price: Decimal | None
    postal_code: str
    radius_km: int
    available_from: date | None
    available_until: date | None
    status: str
    age_days: float
    photo: bool = False
    partner: Company | None = None


@contextlib.contextmanager
def _approval(required: bool):
    """Services read LISTINGS_REQUIRE_APPROVAL at call time; the demo publishes directly."""
    previous = settings.LISTINGS_REQUIRE_APPROVAL
    settings.LISTINGS_REQUIRE_APPROVAL = required
    try:
        yield
    finally:
        settings.LISTINGS_REQUIRE_APPROVAL = previous


def _round_quantity(value: int) -> int:
    if value >= 1000:
        return round(value, -2)
    if value >= 100:
        return round(value, -1)
    return value


def _window(rng: random.Random, today: date) -> tuple[date | None, date | None]:
    if rng.random() < 0.25:
        return None, None
    start = today + timedelta(days=rng.randint(-15, 25))
    end = start + timedelta(days=rng.randint(14, 180)) if rng.random() < 0.8 else None
    return start, end


def _other_postal_code(rng: random.Random, departement: str, places_by_dep: dict) -> str:
    places = places_by_dep.get(departement)
    if not places:
        return ""
    # Towns people have heard of: weight by population through a pick among the largest.
    return rng.choice(places[:40]).postal_code


def _named_place(title: str, departement: str, places_by_dep: dict) -> str:
    """The postal code of the town a pair's title names ("... à Vénissieux"), so the listing
    stands where it says; "" when the title names none (the company's place then)."""
    town = title.rsplit(" à ", 1)[1] if " à " in title else ""
    for place in places_by_dep.get(departement, []):
        if place.commune == town:
            return place.postal_code
    return ""


def _trade(company: Company) -> tuple[list[str], list[str]]:
    """The categories a company offers in and needs in, from its activity."""
    return SECTORS.get(company.naf_code, ([], []))


def _draw_plan(rng: random.Random, companies: list[Company], target: int) -> list[Planned]:
    today = timezone.localdate()
    by_dep: dict[str, list[Company]] = {}
    for company in companies:
        by_dep.setdefault(company.departement, []).append(company)
    places_by_dep: dict[str, list] = {}
    for place in geo.places():
        if place.departement in by_dep:
            places_by_dep.setdefault(place.departement, []).append(place)
    for places in places_by_dep.values():
        places.sort(key=lambda p: -p.population)

    plan: list[Planned] = []
    seen: set[tuple[int, str]] = set()

    # Complementary pairs first, always published, between two companies of one département
    # whose trades offer and need in those categories.
    for dep, offer_cat, offer_title, need_cat, need_title, (q_offer, q_need), unit in PAIRS:
        local = by_dep.get(dep, [])
        offerers = [c for c in local if offer_cat in _trade(c)[0]]
        offerer = rng.choice(offerers) if offerers else None
        seekers = [c for c in local if need_cat in _trade(c)[1] and c is not offerer]
        seeker = rng.choice(seekers) if seekers else None
        if offerer is None or seeker is None:
            continue
        start = today + timedelta(days=rng.randint(-5, 5))
        for company, kind, cat, title, qty in (
            (offerer, "offer", offer_cat, offer_title, q_offer),
            (seeker, "need", need_cat, need_title, q_need),
        ):
            template = next((t for t in CATALOG[cat] if t[0] == kind), CATALOG[cat][0])
            plan.append(
                Planned(
                    company=company,
                    kind=kind,
                    category=cat,
                    title=title,
                    description=template[2].format(q=qty, ville=company.commune),
                    quantity=Decimal(qty),
                    unit=unit,
                    terms=rng.choice(template[5]),
                    price=None,
                    postal_code=_named_place(title, dep, places_by_dep),
                    radius_km=rng.choice([30, 50, 80]),
                    available_from=start,
                    available_until=start + timedelta(days=rng.randint(60, 120)),
                    status="published",
                    age_days=rng.uniform(0.5, 20),
                )
            )
            seen.add((company.pk, title))

    # Then what each trade would write: a catalogue entry at most MAX_USES times in all and
    # once per département, so no two listings of a region read alike.
    scale = target / COUNTS_PER
    statuses = [s for s, n in STATUS_COUNTS.items() for _ in range(max(1, round(n * scale)))]
    statuses += ["published"] * (target - len(plan) - len(statuses))
    rng.shuffle(statuses)
    uses: dict[str, int] = {}
    used_in: set[tuple[str, str]] = set()
    attempts = 0
    while statuses and attempts < target * 20:
        attempts += 1
        company = rng.choice(companies)
        kind = rng.choice(["offer", "need"])
        slugs = _trade(company)[0 if kind == "offer" else 1]
        if not slugs:
            continue
        slug = rng.choice(slugs)
        entries = [
            e
            for e in CATALOG[slug]
            if e[0] == kind
            and fits(company.naf_code, e[1])
            and uses.get(e[1], 0) < MAX_USES
            and (e[1], company.departement) not in used_in
        ]
        if not entries:
            continue
        _kind, title, description, qty_range, unit, terms_choices, price_range = rng.choice(entries)
        quantity = _round_quantity(rng.randint(*qty_range)) if qty_range else None
        postal_code = ""
        commune = company.commune
        if rng.random() < 0.2:
            postal_code = _other_postal_code(rng, company.departement, places_by_dep)
            place = geo.lookup(postal_code) if postal_code else None
            commune = place.commune if place else commune
        terms = rng.choice(terms_choices)
        price = None
        if price_range and terms in services.PRICED_TERMS:
            price = Decimal(rng.randint(*price_range)) if price_range[1] > 0 else None
        start, end = _window(rng, today)
        status = statuses[-1]
        title_text = title.format(q=quantity, ville=commune)
        age = rng.uniform(62, 95) if status == "expired" else rng.uniform(0.2, 50)
        radius = rng.choice(RADII)
        if (company.pk, title_text) in seen:
            continue
        seen.add((company.pk, title_text))
        uses[title] = uses.get(title, 0) + 1
        used_in.add((title, company.departement))
        statuses.pop()
        plan.append(
            Planned(
                company=company,
                kind=kind,
                category=slug,
                title=title_text,
                description=description.format(q=quantity, ville=commune),
                quantity=Decimal(quantity) if quantity is not None else None,
                unit=unit if quantity is not None else "",
                terms=terms,
                price=price,
                postal_code=postal_code,
                radius_km=radius,
                available_from=start,
                available_until=end,
                status=status,
                age_days=age,
            )
        )

    published = [p for p in plan if p.status in ("published", "fulfilled", "hidden")]
    photos = max(1, round(PHOTO_COUNT * scale))
    for item in rng.sample(published, min(photos, len(published))):
        item.photo = True
    for item in plan:
        if item.status == "fulfilled":
            neighbours = [c for c in by_dep[item.company.departement] if c.pk != item.company.pk]
            item.partner = rng.choice(neighbours) if neighbours else None
    return plan


def _author(company: Company) -> User | None:
    membership = company.memberships.select_related("user").order_by("role", "joined_at").first()
    return membership.user if membership else None


def _create(item: Planned, moderator: User | None, categories: dict[str, Category]) -> Listing:
    author = _author(item.company)
    data = {
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "category": categories[item.category],
        "quantity": item.quantity,
        "unit": item.unit,
        "terms": item.terms,
        "price": item.price,
        "postal_code": item.postal_code,
        "radius_km": item.radius_km,
        "available_from": item.available_from,
        "available_until": item.available_until,
    }
    if item.status == "draft":
        return services.listing_create(company=item.company, by=author, data=data, submit=False)
    if item.status in ("pending", "rejected"):
        with _approval(True):
            listing = services.listing_create(
                company=item.company, by=author, data=data, submit=True
            )
        if item.status == "rejected" and moderator is not None:
            listing = moderation_services.listing_reject(
                listing=listing, by=moderator, reason=REJECT_REASONS[listing.pk % 3]
            )
        return listing

    with _approval(False):
        listing = services.listing_create(company=item.company, by=author, data=data, submit=True)
    published_at = timezone.now() - timedelta(days=item.age_days)
    Listing.objects.filter(pk=listing.pk).update(  # demo history: published in the past
        published_at=published_at,
        expires_at=published_at + lifetime(),
        created_at=published_at - timedelta(hours=2),
    )
    listing.refresh_from_db()
    if item.photo:
        content = demo_image(listing.pk, categories[item.category].name, item.company.name[:40])
        upload = SimpleUploadedFile(f"demo-{listing.pk}.jpg", content, "image/jpeg")
        # Demo history: the photo was there when the listing went live (a new photo on a
        # published listing otherwise sends it back to the moderators).
        with _approval(False):
            services.listing_photo_add(listing=listing, by=author, upload=upload)
    if item.status == "hidden" and moderator is not None:
        listing = moderation_services.listing_hide(
            listing=listing, by=moderator, reason=HIDE_REASONS[listing.pk % 2]
        )
    elif item.status in ("fulfilled", "withdrawn"):
        listing = services.listing_close(
            listing=listing, by=author, outcome=item.status, partner_company=item.partner
        )
    return listing


def load(
    rng: random.Random, stdout, companies: list[Company], target: int = TARGET
) -> list[Listing]:
    """Create the missing demo listings of `companies` (the verified ones with members take
    part); returns the listings created by this call."""
    companies = [
        c
        for c in sorted(companies, key=lambda c: c.pk)
        if c.status == Company.Status.VERIFIED and c.memberships.exists()
    ]
    if not companies:
        stdout.write("listings: no verified demo company with members, no demo listing.")
        return []
    plan = _draw_plan(rng, companies, target)
    moderator = (
        User.objects.filter(moderator__isnull=False)
        .order_by("-moderator__is_national", "pk")
        .first()
    )
    categories = {c.slug: c for c in Category.objects.all()}
    existing = set(Listing.objects.filter(company__in=companies).values_list("company_id", "title"))
    created = []
    with services.quiet_publication():
        for item in plan:
            if (item.company.pk, item.title) in existing:
                continue
            created.append(_create(item, moderator, categories))
        expired = services.expire_listings() if created else 0
    stdout.write(f"listings: {len(created)} demo listings created ({expired} expired).")
    return created
