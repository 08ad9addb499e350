"""Crisis pins in search: the needs of a crisis's priority categories first.

When an active crisis covers the search's area (bourse.listings.crises.pin_for), the results are
two searches run one after the other with the same filters and ordering: first the pinned
listings (needs of the priority categories located in the crisis's départements), then the
others. Paging runs over the two as one list. Without a crisis the search is the plain
ListingSearch, with not one query more.

The area of a search is the département it filters on (`departement`), else the département
of the postal code it is made around (`near`), else the département of the searcher's company; a
search by latitude and longitude alone, by an anonymous visitor, has none (nothing pinned).
"""

from __future__ import annotations

from django.db.models import Q

from .. import crises
from .engine import ListingSearch, live_listings, one_row, plain_slice
from .params import SearchParams


class PinnedSearch:
    """Pinned rows first, then the rest; each part ordered as the search asks. Offers what a
    Paginator uses of ListingSearch: `count()`, `len()` and plain slices."""

    def __init__(self, params: SearchParams, pin: Q):
        self.params = params
        self.pinned = ListingSearch(params, base=live_listings().filter(pin))
        self.others = ListingSearch(params, base=live_listings().exclude(pin))
        self.queries_in_last_slice = 0

    def expect_page(self, number: int, size: int) -> None:
        """As ListingSearch.expect_page; the two parts each count on their own."""

    def count(self) -> int:
        return self.pinned.count() + self.others.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, int):
            return one_row(self, index)
        start, stop = plain_slice(index, self.count)
        n_pinned = self.pinned.count()
        rows = []
        if start < n_pinned:
            rows += self.pinned[start : min(stop, n_pinned)]
            for row in rows:
                row.crisis_pinned = True
        if stop > n_pinned:
            rows += self.others[max(start - n_pinned, 0) : stop - n_pinned]
        return rows


def search_area(params: SearchParams, company=None) -> str | None:
    """The département a search is made in: the one it filters on, else its postal code's,
    else the searcher's company's."""
    if params.departement:
        return params.departement
    if params.place is not None:
        return params.place.departement
    if company is not None:
        return company.departement
    return None


def listing_search(params: SearchParams, *, company=None) -> ListingSearch | PinnedSearch:
    """The search the API and the page run: pinned when a crisis covers its area."""
    pin = crises.pin_for(search_area(params, company))
    if pin is None:
        return ListingSearch(params)
    return PinnedSearch(params, pin.q())
