"""Pages: the company's suggestions (/suggestions/) and its saved searches."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import membership_of
from bourse.core.errors import add_service_error
from bourse.core.redirects import safe_next
from bourse.listings.models import Listing

from . import permissions, services, suggestions
from .forms import SavedSearchForm
from .models import SavedSearch
from .permissions import can_view

SUGGESTIONS_PER_LISTING = 5


def _membership_or_redirect(request):
    membership = membership_of(request.user)
    if membership is None:
        messages.info(request, _("Déclarez d'abord votre entreprise."))
    return membership


def _next_url(request, default: str) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), default)


@login_required
def suggestions_page(request):
    """The best counterparts of each of the company's published listings, read from their
    stored lists (bourse.matching.suggestions)."""
    membership = _membership_or_redirect(request)
    if membership is None:
        return redirect("accounts:company_create")
    own = list(
        Listing.objects.published()
        .filter(company=membership.company)
        .select_related("company", "category")
        .order_by("-published_at", "-id")
    )
    sections = [
        {"listing": listing, "suggestions": found}
        for listing, found in zip(
            own,
            suggestions.suggestions_for_each(own, limit=SUGGESTIONS_PER_LISTING),
            strict=True,
        )
    ]
    return render(
        request,
        "matching/suggestions.html",
        {"sections": sections, "company": membership.company},
    )


def _suggested_to(request, pk: int):
    """The member's company and a listing that can be suggested to it (another company's,
    visible to the member); 404 otherwise, as for a listing that does not exist."""
    membership = membership_of(request.user)
    suggested = get_object_or_404(Listing.objects.select_related("company"), pk=pk)
    if membership is None or not can_view(request.user, suggested):
        raise Http404
    if suggested.company_id == membership.company_id:
        raise Http404
    return membership, suggested


@login_required
@require_POST
def contact(request, pk: int):
    """ "Contacter" on a suggestion: recorded (what suggestions lead to), then on to the page
    that starts the conversation."""
    membership, suggested = _suggested_to(request, pk)
    services.suggestion_contact(company=membership.company, listing=suggested, by=request.user)
    try:
        return redirect(reverse("messaging:start", args=[suggested.pk]))
    except NoReverseMatch:
        return redirect("listings:detail", suggested.pk)


@login_required
@require_POST
def dismiss(request, pk: int):
    """ "Masquer": the suggested listing is no longer suggested to the company."""
    membership, suggested = _suggested_to(request, pk)
    services.suggestion_dismiss(company=membership.company, listing=suggested, by=request.user)
    messages.success(
        request,
        _("« %(title)s » ne vous sera plus suggérée.") % {"title": suggested.title},
    )
    return redirect(_next_url(request, "matching:suggestions"))


@login_required
def saved_searches_page(request, form: SavedSearchForm | None = None, status: int = 200):
    membership = _membership_or_redirect(request)
    if membership is None:
        return redirect("accounts:company_create")
    searches = SavedSearch.objects.filter(company=membership.company).select_related("category")
    return render(
        request,
        "matching/saved_searches.html",
        {
            "searches": searches,
            "form": form or SavedSearchForm(),
            "can_save": membership.company.is_verified,
        },
        status=status,
    )


@login_required
@require_POST
def saved_search_create(request):
    """ "Enregistrer cette recherche" (from the search page, or the saved searches page)."""
    try:
        membership = permissions.check_can_use_saved_searches(request.user)
    except PermissionDenied:
        messages.error(
            request, _("Votre entreprise doit être vérifiée pour enregistrer des recherches.")
        )
        return redirect("matching:saved_searches")
    form = SavedSearchForm(request.POST)
    if not form.is_valid():
        return saved_searches_page(request, form=form, status=400)
    try:
        search = services.saved_search_create(
            company=membership.company, by=request.user, **form.service_kwargs()
        )
    except ValidationError as exc:
        add_service_error(form, exc)
        return saved_searches_page(request, form=form, status=400)
    messages.success(
        request,
        _("Recherche « %(name)s » enregistrée : vous serez prévenu des nouvelles annonces.")
        % {"name": search.name},
    )
    return redirect("matching:saved_searches")


@login_required
@require_POST
def saved_search_delete(request, pk: int):
    search = get_object_or_404(SavedSearch, pk=pk)
    permissions.check_owns_saved_search(request.user, search)
    services.saved_search_delete(saved_search=search)
    messages.success(request, _("Recherche « %(name)s » supprimée.") % {"name": search.name})
    return redirect("matching:saved_searches")
