def membership(request):
    """The current user's company and role, for the navigation bar of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_company": None, "current_membership": None}
    membership = user.membership_or_none
    return {
        "current_company": membership.company if membership else None,
        "current_membership": membership,
    }
