"""The crisis banner: every page shows the members of a company the active crises covering its
département, except those they hid for this session ("Masquer")."""

from django.utils.functional import SimpleLazyObject

from bourse.listings.crises import CurrentCrisis, covering

DISMISSED_KEY = "crisis_banners_hidden"


def crisis_banner(request):
    """`crisis_banners`: a list, read (from the cache, bourse.listings.crises) only when a
    template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"crisis_banners": ()}

    def banners() -> list[CurrentCrisis]:
        membership = user.membership_or_none
        if membership is None:
            return []
        departement = membership.company.departement
        hidden = set(request.session.get(DISMISSED_KEY, []))
        return [crisis for crisis in covering(departement) if crisis.id not in hidden]

    return {"crisis_banners": SimpleLazyObject(banners)}
