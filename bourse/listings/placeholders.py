"""The picture of a listing without a photo: its top-level category's placeholder.

One SVG per top-level category of the starting taxonomy (frontend/img/placeholders/<slug>.svg:
the category's colour and a simple icon), decorative (`alt=""`): card grids stay even and the
detail page keeps its layout. A category staff add later, or rename, shows `autre.svg`.

Listings come with their category but not its parent (Listing.objects.for_api() reads no
more), so the top-level slug of every category is read once and kept CACHE_SECONDS per process
(about forty rows), and read again at once for a category it does not know.
"""

import time

from django.templatetags.static import static

CACHE_SECONDS = 300
PLACEHOLDERS = {
    "stockage",
    "matieres-premieres",
    "equipements",
    "transport-logistique",
    "main-d-oeuvre",
    "locaux",
    "services",
    "autre",
}
DEFAULT = "autre"

_cache: dict = {"at": 0.0, "tops": {}}


def _top_slugs() -> dict[int, str]:
    from .models import Category

    rows = list(Category.objects.values_list("pk", "slug", "parent_id"))
    slugs = {pk: slug for pk, slug, _parent in rows}
    return {pk: slugs.get(parent, slug) if parent else slug for pk, slug, parent in rows}


def top_slug(category_id: int) -> str | None:
    now = time.monotonic()
    if category_id not in _cache["tops"] or now - _cache["at"] > CACHE_SECONDS:
        _cache.update(at=now, tops=_top_slugs())
    return _cache["tops"].get(category_id)


def placeholder_url(category_id: int) -> str:
    """The static URL of the placeholder for a listing of this category."""
    slug = top_slug(category_id)
    return static(f"img/placeholders/{slug if slug in PLACEHOLDERS else DEFAULT}.svg")


def forget() -> None:
    """Drop this process's copy (tests)."""
    _cache.update(at=0.0, tops={})
