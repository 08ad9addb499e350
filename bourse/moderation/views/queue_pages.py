"""The verification queues: companies and listings, one action or several at once."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Company
from bourse.core.errors import add_service_error, messages_of
from bourse.listings.models import Listing

from .. import actions, bulk, forms, queues, services
from ..permissions import (
    territory_object_or_404,
)
from ..reasons import compose_reason
from .common import (
    _back,
    _decorate,
    _own_company,
    _page,
    _reasons_by_object,
    _status_filter,
    moderator_required,
)

# --- Companies -------------------------------------------------------------------------------


def _queue_page(request, queue: "QueuePage", *, status_code=200, failed=None, bulk_form=None):
    """One verification queue: its filters, its page of items with their waiting time, actions
    and reasons, and the bulk form. `failed`: (pk, bound form, errors) of an action to show on
    its item; `bulk_form`: a bulk form sent back with its errors."""
    params = request.POST if failed or bulk_form else request.GET
    current = _status_filter(params, queue.statuses, queue.default_status)
    queryset, filters = queue.build(request.moderator, params)
    if current != "all":
        queryset = queryset.filter(status=current)
    page = _page(params, queryset)
    queues.mark_waiting(page.object_list)
    _decorate(
        page.object_list,
        actions_for=queue.actions_for,
        labels=queue.labels,
        needs_reason=queue.needs_reason,
        failed=failed,
    )
    reasons = _reasons_by_object(page.object_list, queue.target, queue.labels)
    return render(
        request,
        queue.template,
        {
            "page": page,
            "current": current,
            "statuses": queue.statuses,
            "filters": filters,
            "bulk_actions": {a: queue.labels[a] for a in queue.bulk_actions},
            "bulk_needs_reason": " ".join(sorted(queue.needs_reason)),
            "bulk_form": bulk_form,
            "reasons": reasons,
        },
        status=status_code,
    )


@dataclass(frozen=True)
class QueuePage:
    target: str
    template: str
    statuses: list
    default_status: str
    build: Callable
    actions_for: Callable
    labels: dict
    needs_reason: set
    bulk_actions: tuple


COMPANY_QUEUE = QueuePage(
    target="company",
    template="moderation/companies.html",
    statuses=Company.Status.choices,
    default_status=Company.Status.PENDING,
    build=queues.company_queue,
    actions_for=services.company_actions,
    labels=forms.COMPANY_ACTIONS,
    needs_reason=forms.COMPANY_NEEDS_REASON,
    bulk_actions=bulk.COMPANY_BULK_ACTIONS,
)
LISTING_QUEUE = QueuePage(
    target="listing",
    template="moderation/listings.html",
    statuses=Listing.Status.choices,
    default_status=Listing.Status.PENDING,
    build=queues.listing_queue,
    actions_for=lambda listing: listing.actions("moderator"),
    labels=forms.LISTING_ACTIONS,
    needs_reason=forms.LISTING_NEEDS_REASON,
    bulk_actions=bulk.LISTING_BULK_ACTIONS,
)


def _companies_page(request, **kwargs):
    return _queue_page(request, COMPANY_QUEUE, **kwargs)


def _listings_page(request, **kwargs):
    return _queue_page(request, LISTING_QUEUE, **kwargs)


@require_GET
@moderator_required
def companies(request):
    return _companies_page(request)


def _reason(form, target: str) -> str:
    """The reason of an action form: the common reason chosen, completed by the free text."""
    action = form.cleaned_data["action"]
    return compose_reason(
        target=target,
        action=action,
        reason_id=form.cleaned_data.get("reason_id"),
        text=form.cleaned_data.get("reason", ""),
        required=True,
    )


@require_POST
@moderator_required
def company_action(request, pk: int):
    company = territory_object_or_404(Company.objects.all(), request.moderator, pk)
    if _own_company(request, company.pk):
        return render(request, "moderation/forbidden.html", {"own_company": True}, status=403)
    form = forms.ActionForm(
        request.POST, actions=forms.COMPANY_ACTIONS, needs_reason=forms.COMPANY_NEEDS_REASON
    )
    if not form.is_valid():
        return _companies_page(request, status_code=400, failed=(company.pk, form, []))
    action = form.cleaned_data["action"]
    kwargs = {"company": company, "by": request.user}
    try:
        if action in forms.COMPANY_NEEDS_REASON:
            kwargs["reason"] = _reason(form, "company")
        actions.COMPANY_ACTIONS[action][0](**kwargs)
    except ValidationError as exc:
        return _companies_page(
            request, status_code=400, failed=(company.pk, form, messages_of(exc))
        )
    messages.success(
        request,
        _("%(done)s : « %(name)s ». L'entreprise est prévenue.")
        % {"done": done_message(action, 1), "name": company.name},
    )
    return _back(request, "moderation:companies")


# --- Listings --------------------------------------------------------------------------------


@require_GET
@moderator_required
def listings(request):
    return _listings_page(request)


@require_POST
@moderator_required
def listing_action(request, pk: int):
    listing = territory_object_or_404(Listing.objects.all(), request.moderator, pk)
    if _own_company(request, listing.company_id):
        return render(request, "moderation/forbidden.html", {"own_company": True}, status=403)
    form = forms.ActionForm(
        request.POST, actions=forms.LISTING_ACTIONS, needs_reason=forms.LISTING_NEEDS_REASON
    )
    if not form.is_valid():
        return _listings_page(request, status_code=400, failed=(listing.pk, form, []))
    action = form.cleaned_data["action"]
    kwargs = {"listing": listing, "by": request.user}
    try:
        if action in forms.LISTING_NEEDS_REASON:
            kwargs["reason"] = _reason(form, "listing")
        actions.LISTING_ACTIONS[action][0](**kwargs)
    except ValidationError as exc:
        return _listings_page(request, status_code=400, failed=(listing.pk, form, messages_of(exc)))
    messages.success(
        request,
        _("%(done)s : « %(title)s ». L'entreprise est prévenue.")
        % {"done": done_message(action + "_listing", 1), "title": listing.title},
    )
    return _back(request, "moderation:listings")


# --- Several at once -------------------------------------------------------------------------

# "Entreprise vérifiée", "3 annonces approuvées": what a moderator reads after an action.
DONE_ONE = {
    "verify": gettext_lazy("Entreprise vérifiée"),
    "reject": gettext_lazy("Entreprise refusée"),
    "suspend": gettext_lazy("Entreprise suspendue"),
    "reinstate": gettext_lazy("Entreprise rétablie"),
    "approve_listing": gettext_lazy("Annonce approuvée"),
    "reject_listing": gettext_lazy("Annonce refusée"),
    "hide_listing": gettext_lazy("Annonce masquée"),
}
DONE_MANY = {
    "verify": ngettext_lazy("%(n)d entreprise vérifiée", "%(n)d entreprises vérifiées", "n"),
    "reject": ngettext_lazy("%(n)d entreprise refusée", "%(n)d entreprises refusées", "n"),
    "suspend": ngettext_lazy("%(n)d entreprise suspendue", "%(n)d entreprises suspendues", "n"),
    "reinstate": ngettext_lazy("%(n)d entreprise rétablie", "%(n)d entreprises rétablies", "n"),
    "approve_listing": ngettext_lazy("%(n)d annonce approuvée", "%(n)d annonces approuvées", "n"),
    "reject_listing": ngettext_lazy("%(n)d annonce refusée", "%(n)d annonces refusées", "n"),
    "hide_listing": ngettext_lazy("%(n)d annonce masquée", "%(n)d annonces masquées", "n"),
}


def done_message(key: str, n: int) -> str:
    return str(DONE_ONE[key]) if n == 1 else DONE_MANY[key] % {"n": n}


def _bulk(request, *, target: str, labels: dict, needs_reason: set, allowed, page, back: str):
    form = forms.BulkForm(
        request.POST, actions={a: labels[a] for a in allowed}, needs_reason=needs_reason
    )
    if not form.is_valid():
        return page(request, status_code=400, bulk_form=form)
    action = form.cleaned_data["action"]
    try:
        reason = _reason(form, target) if action in needs_reason else ""
    except ValidationError as exc:
        add_service_error(form, exc)
        return page(request, status_code=400, bulk_form=form)
    result = bulk.bulk_moderate(
        by=request.user,
        moderator=request.moderator,
        target=target,
        action=action,
        ids=form.cleaned_data["ids"],
        reason=reason,
    )
    key = action if target == "company" else f"{action}_listing"
    if result.done:
        messages.success(request, done_message(key, len(result.done)) + ".")
    names = bulk.names_of(target, list(result.failed), request.moderator)
    for pk, message in result.failed.items():
        name = names.get(pk) or _("n° %(id)s") % {"id": pk}
        messages.warning(request, f"{name} : {message}")
    return _back(request, back)


@require_POST
@moderator_required
def company_bulk(request):
    return _bulk(
        request,
        target="company",
        labels=forms.COMPANY_ACTIONS,
        needs_reason=forms.COMPANY_NEEDS_REASON,
        allowed=bulk.COMPANY_BULK_ACTIONS,
        page=_companies_page,
        back="moderation:companies",
    )


@require_POST
@moderator_required
def listing_bulk(request):
    return _bulk(
        request,
        target="listing",
        labels=forms.LISTING_ACTIONS,
        needs_reason=forms.LISTING_NEEDS_REASON,
        allowed=bulk.LISTING_BULK_ACTIONS,
        page=_listings_page,
        back="moderation:listings",
    )
