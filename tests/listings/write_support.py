"""Helpers for the listings write-side tests: listings are made through the services."""

import io
from datetime import date, timedelta
from decimal import Decimal

from PIL import Image

from bourse.listings import services
from bourse.listings.models import Category, Listing
from bourse.moderation import services as moderation_services
from tests import factories


def listing_data(**overrides) -> dict:
    data = {
        "kind": "offer",
        "title": "Entrepôt sec 400 m² à Vénissieux",
        "description": "Cellule de stockage sec, quai de chargement, accès poids lourds.",
        "category": Category.objects.get(slug="entrepot-sec"),
        "quantity": Decimal("400"),
        "unit": "m2",
        "terms": "rent",
        "price": Decimal("1200.00"),
        "postal_code": "",
        "radius_km": 30,
        "available_from": date.today(),
        "available_until": date.today() + timedelta(days=90),
    }
    data.update(overrides)
    return data


def moderator_user():
    return factories.ModeratorFactory(is_national=True, departements=[]).user


def make_listing(company, by, status: str = "published", **overrides) -> Listing:
    """A listing of `company` in the given status, reached through the services."""
    listing = services.listing_create(
        company=company, by=by, data=listing_data(**overrides), submit=status != "draft"
    )
    if status in ("draft", "pending"):
        return listing
    moderator = moderator_user()
    if status == "rejected":
        return moderation_services.listing_reject(
            listing=listing, by=moderator, reason="Trop vague."
        )
    listing = moderation_services.listing_approve(listing=listing, by=moderator)
    if status == "hidden":
        return moderation_services.listing_hide(listing=listing, by=moderator, reason="Doublon.")
    if status in ("fulfilled", "withdrawn"):
        return services.listing_close(listing=listing, by=by, outcome=status)
    if status == "expired":
        Listing.objects.filter(pk=listing.pk).update(
            expires_at=listing.published_at - timedelta(seconds=1)
        )
        services.expire_listings()
        listing.refresh_from_db()
    return listing


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 60, 40), **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, color).save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()
