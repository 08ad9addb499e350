"""The moderator actions, by name: the service each calls and whether it needs a reason.
One table for the API (api.py, urls.py) and the pages (views.py, forms.py)."""

from bourse.listings import services as listing_services

from . import services

COMPANY_ACTIONS = {
    "verify": (services.company_verify, False),
    "reject": (services.company_reject, True),
    "suspend": (services.company_suspend, True),
    "reinstate": (services.company_reinstate, False),
}

LISTING_ACTIONS = {
    "approve": (listing_services.listing_approve, False),
    "reject": (listing_services.listing_reject, True),
    "hide": (listing_services.listing_hide, True),
}


def needing_reason(actions: dict) -> set[str]:
    return {name for name, (_service, needs_reason) in actions.items() if needs_reason}
