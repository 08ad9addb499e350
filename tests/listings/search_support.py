"""Helpers for the search tests: categories of their own. Listings come from
`tests.factories.ListingFactory` (written straight to the database: the search only reads them;
how they get published is the write side's business, tested elsewhere)."""

from bourse.listings.models import Category


def category(slug: str, name: str, parent: Category | None = None) -> Category:
    obj, _ = Category.objects.get_or_create(
        slug=slug, defaults={"name": name, "parent": parent, "units": ["unit"]}
    )
    return obj
