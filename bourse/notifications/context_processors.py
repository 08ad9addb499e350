from django.utils.functional import SimpleLazyObject

from .queries import unread_count


def notifications(request):
    """`notification_unread_count` for the nav badge; counted only when a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notification_unread_count": 0}

    def count() -> int:
        membership = user.membership_or_none
        return unread_count(membership.company_id if membership else None)

    return {"notification_unread_count": SimpleLazyObject(count)}
