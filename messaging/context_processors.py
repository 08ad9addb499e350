from .queries import unread_total


def unread(request):
    """`unread_total`: messages the user's company has not read yet, for the navigation badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_total": 0}
    membership = user.membership_or_none
    if membership is None:
        return {"unread_total": 0}
    return {"unread_total": unread_total(membership.company_id)}
