from django.utils.functional import SimpleLazyObject

from .queries import unread_total


def unread(request):
    """`unread_total`: messages the user's company has not read yet, for the navigation badge.

    Counted only when a template uses it, and not at all on a page that knows it already and
    passes its own `unread_total` (the inbox, the dashboard): a view's context wins over the
    context processors'."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_total": 0}

    def count() -> int:
        membership = user.membership_or_none
        return unread_total(membership.company_id) if membership is not None else 0

    return {"unread_total": SimpleLazyObject(count)}
