"""The moderator actions, by name: the service each calls and whether it needs a reason.
One table for the API (api.py, urls.py) and the pages (views.py, forms.py)."""

from bourse.listings.models import Listing

from . import services

COMPANY_ACTIONS = {
    "verify": (services.company_verify, False),
    "reject": (services.company_reject, True),
    "suspend": (services.company_suspend, True),
    "reinstate": (services.company_reinstate, False),
}

LISTING_ACTIONS = {
    name: (service, Listing.TRANSITIONS[name].needs_reason)
    for name, service in [
        ("approve", services.listing_approve),
        ("reject", services.listing_reject),
        ("hide", services.listing_hide),
    ]
}


def needing_reason(actions: dict) -> set[str]:
    return {name for name, (_service, needs_reason) in actions.items() if needs_reason}
