""" "Besoins sans réponse": the advisors' call list."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bourse.listings.models import Listing

from .. import forms
from .. import unanswered as unanswered_services
from ..permissions import (
    check_departement_param,
    territory_object_or_404,
)
from .common import (
    PAGE_SIZE,
    _back,
    _departement_choices,
    _territory_label,
    moderator_required,
)

# --- "Besoins sans réponse": the advisors' call list -------------------------------------------


def _unanswered_page(request, *, status_code: int = 200, failed=None):
    params = request.POST if failed else request.GET
    moderator = request.moderator
    # A département outside the territory is 404, as on the API (not "all my territory").
    check_departement_param(moderator, params.get("departement") or None)
    form = forms.UnansweredFilterForm(
        {"departement": params.get("departement", ""), "days": params.get("days", "")},
        departements=_departement_choices(moderator),
    )
    departement, days = None, unanswered_services.after_days()
    if form.is_valid():
        departement = form.cleaned_data["departement"] or None
        if form.cleaned_data["days"] is not None:
            days = form.cleaned_data["days"]
    queryset = unanswered_services.unanswered_listings(
        departements=check_departement_param(moderator, departement), days=days
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(params.get("page"))
    page.object_list = unanswered_services.entries(page.object_list)
    for entry in page.object_list:
        entry.form = forms.AdvisorCallForm(auto_id=f"c{entry.listing.pk}_%s")
        if failed and failed[0] == entry.listing.pk:
            entry.form = failed[1]
    query = {"departement": departement or "", "days": days}
    return render(
        request,
        "moderation/unanswered.html",
        {
            "page": page,
            "form": form,
            "days": days,
            "departement": departement or "",
            "query": urlencode({k: v for k, v in query.items() if v != ""}),
            "territory": _territory_label(moderator),
        },
        status=status_code,
    )


@require_GET
@moderator_required
def unanswered(request):
    return _unanswered_page(request)


@require_POST
@moderator_required
def unanswered_call(request, pk: int):
    listing = territory_object_or_404(Listing.objects.all(), request.moderator, pk)
    form = forms.AdvisorCallForm(request.POST, auto_id=f"c{pk}_%s")
    if not form.is_valid():
        return _unanswered_page(request, status_code=400, failed=(pk, form))
    unanswered_services.call_record(
        listing=listing,
        by=request.user,
        outcome=form.cleaned_data["outcome"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("Appel inscrit pour « %(title)s ».") % {"title": listing.title})
    return _back(request, "moderation:unanswered")
