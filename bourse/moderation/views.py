"""Moderation pages (French): dashboard, queues, audit log, statistics.

Anonymous visitors are sent to the login page; signed-in users who are not moderators get a 403
page; an object outside the moderator's territory is 404. Every action calls a service.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Company
from accounts.permissions import check_verified_member, moderator_for
from bourse.core.errors import add_service_error, messages_of
from bourse.geo import data as geo
from bourse.listings.models import Listing

from . import actions, bulk, charts, forms, queues, services
from . import unanswered as unanswered_services
from .models import AuditLogEntry, Report
from .permissions import (
    check_can_decide,
    check_departement_param,
    check_not_own_company,
    scope_to_territory,
    territory_object_or_404,
)
from .queries import attach_log_labels, attach_report_targets, territory_stats, waiting_counts
from .reasons import compose_reason

PAGE_SIZE = 20


def moderator_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        moderator = moderator_for(request.user)
        if moderator is None:
            return render(request, "moderation/forbidden.html", status=403)
        request.moderator = moderator
        return view(request, *args, **kwargs)

    return wrapper


def _own_company(request, company_id: int) -> bool:
    try:
        check_not_own_company(request.user, company_id)
    except PermissionDenied:
        return True
    return False


def _page(params, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(params.get("page"))
    page.object_list = list(page.object_list)  # evaluated once, decorated, then rendered
    return page


def _status_filter(params, choices, default: str) -> str:
    """The `statut` filter of a queue (GET on display, a hidden field when an action fails)."""
    value = params.get("statut", default)
    return value if value in dict(choices) or value == "all" else default


def _decorate(objects, *, actions_for, labels: dict, needs_reason: set, failed) -> None:
    """Give each queue item its possible actions and, for the one whose action failed, the
    submitted form and the errors to show next to it (nothing typed is lost)."""
    for obj in objects:
        obj.actions = [
            {"name": name, "label": labels[name], "needs_reason": name in needs_reason}
            for name in actions_for(obj)
        ]
        needing = [str(action["label"]) for action in obj.actions if action["needs_reason"]]
        obj.any_reason = bool(needing)
        obj.reason_label = _("Motif, obligatoire pour « %(actions)s » (l'entreprise le verra)") % {
            "actions": " », « ".join(needing)
        }
        obj.pk_str = str(obj.pk)
        obj.failed_form = obj.failed_errors = None
        if failed and failed[0] == obj.pk:
            obj.failed_form, obj.failed_errors = failed[1], failed[2]


def _reasons_by_object(objects, target: str, labels: dict):
    """The common reasons of every action that needs one (for the bulk form), and on each item
    those of its own actions."""
    groups = queues.reason_choices(target, {a: labels[a] for a in labels})
    for obj in objects:
        own = {str(action["label"]) for action in obj.actions if action["needs_reason"]}
        obj.reasons = [group for group in groups if group[0] in own]
    return groups


def _departement_choices(moderator) -> list[tuple[str, str]]:
    names = geo.departements()
    codes = sorted(names) if moderator.is_national else list(moderator.departements)
    return [(code, f"{code} {names[code].name}" if code in names else code) for code in codes]


def _territory_label(moderator) -> str:
    if moderator.is_national:
        return _("France entière")
    names = geo.departements()
    return ", ".join(
        f"{code} {names[code].name}" if code in names else code for code in moderator.departements
    )


@require_GET
@moderator_required
def dashboard(request):
    moderator = request.moderator
    return render(
        request,
        "moderation/dashboard.html",
        {
            "waiting": waiting_counts(moderator),
            "unanswered": unanswered_services.unanswered_listings(
                departements=check_departement_param(moderator, None),
                days=unanswered_services.after_days(),
            ).count(),
            "unanswered_days": unanswered_services.after_days(),
            "territory": _territory_label(moderator),
            "recent": attach_log_labels(
                scope_to_territory(AuditLogEntry.objects.all(), moderator)[:8]
            ),
            # Verified companies whose establishment the registry now says is closed.
            "closed": scope_to_territory(
                Company.objects.verified().filter(registry_status=Company.RegistryStatus.CLOSED),
                moderator,
            ).order_by("-registry_checked_at")[:20],
        },
    )


# --- Companies -------------------------------------------------------------------------------


def _companies_page(request, *, status_code: int = 200, failed=None, bulk_form=None):
    params = request.POST if failed or bulk_form else request.GET
    moderator = request.moderator
    current = _status_filter(params, Company.Status.choices, Company.Status.PENDING)
    queryset, filters = queues.company_queue(moderator, params)
    if current != "all":
        queryset = queryset.filter(status=current)
    page = _page(params, queryset)
    queues.mark_waiting(page.object_list)
    _decorate(
        page.object_list,
        actions_for=services.company_actions,
        labels=forms.COMPANY_ACTIONS,
        needs_reason=forms.COMPANY_NEEDS_REASON,
        failed=failed,  # (company pk, bound form, error messages) to show on that item
    )
    reasons = _reasons_by_object(page.object_list, "company", forms.COMPANY_ACTIONS)
    return render(
        request,
        "moderation/companies.html",
        {
            "page": page,
            "current": current,
            "statuses": Company.Status.choices,
            "filters": filters,
            "bulk_actions": {a: forms.COMPANY_ACTIONS[a] for a in bulk.COMPANY_BULK_ACTIONS},
            "bulk_needs_reason": " ".join(sorted(forms.COMPANY_NEEDS_REASON)),
            "bulk_form": bulk_form,
            "reasons": reasons,
            "target_hours": settings.MODERATION_TARGET_HOURS,
        },
        status=status_code,
    )


@require_GET
@moderator_required
def companies(request):
    return _companies_page(request)


def _back(request, name: str):
    """Back to the queue as it was: its status, filters and page."""
    url = reverse(name)
    keys = ("statut", "departement", "verdict", "categorie", "days", "page")
    query = {key: request.POST[key] for key in keys if request.POST.get(key)}
    return redirect(f"{url}?{urlencode(query)}" if query else url)


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


def _listings_page(request, *, status_code: int = 200, failed=None, bulk_form=None):
    params = request.POST if failed or bulk_form else request.GET
    moderator = request.moderator
    current = _status_filter(params, Listing.Status.choices, Listing.Status.PENDING)
    queryset, filters = queues.listing_queue(moderator, params)
    if current != "all":
        queryset = queryset.filter(status=current)
    page = _page(params, queryset)
    queues.mark_waiting(page.object_list)
    _decorate(
        page.object_list,
        actions_for=lambda listing: listing.actions("moderator"),
        labels=forms.LISTING_ACTIONS,
        needs_reason=forms.LISTING_NEEDS_REASON,
        failed=failed,
    )
    reasons = _reasons_by_object(page.object_list, "listing", forms.LISTING_ACTIONS)
    return render(
        request,
        "moderation/listings.html",
        {
            "page": page,
            "current": current,
            "statuses": Listing.Status.choices,
            "filters": filters,
            "bulk_actions": {a: forms.LISTING_ACTIONS[a] for a in bulk.LISTING_BULK_ACTIONS},
            "bulk_needs_reason": " ".join(sorted(forms.LISTING_NEEDS_REASON)),
            "bulk_form": bulk_form,
            "reasons": reasons,
            "target_hours": settings.MODERATION_TARGET_HOURS,
        },
        status=status_code,
    )


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


# --- Reports ---------------------------------------------------------------------------------


def _reports_page(request, *, status_code: int = 200, failed=None):
    params = request.POST if failed else request.GET
    current = _status_filter(params, Report.Status.choices, Report.Status.OPEN)
    queryset = scope_to_territory(
        Report.objects.select_related("reporter_company", "resolved_by"), request.moderator
    ).order_by("created_at", "pk")
    if current != "all":
        queryset = queryset.filter(status=current)
    page = _page(params, queryset)
    attach_report_targets(page.object_list)
    for report in page.object_list:
        report.decision_label = forms.DECISION_LABELS.get(report.decision, report.decision)
        report.form, report.failed_errors = forms.ResolveForm(auto_id=f"r{report.pk}_%s"), None
        if failed and failed[0] == report.pk:
            report.form, report.failed_errors = failed[1], failed[2]
    return render(
        request,
        "moderation/reports.html",
        {"page": page, "current": current, "statuses": Report.Status.choices},
        status=status_code,
    )


@require_GET
@moderator_required
def reports(request):
    return _reports_page(request)


@require_POST
@moderator_required
def report_resolve(request, pk: int):
    report = territory_object_or_404(Report.objects.all(), request.moderator, pk)
    form = forms.ResolveForm(request.POST, auto_id=f"r{report.pk}_%s")
    if not form.is_valid():
        return _reports_page(request, status_code=400, failed=(report.pk, form, []))
    try:
        check_can_decide(request.moderator, report, form.cleaned_data["decision"])
        services.report_resolve(report=report, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return _reports_page(request, status_code=400, failed=(report.pk, form, messages_of(exc)))
    messages.success(request, _("Signalement traité."))
    return _back(request, "moderation:reports")


# --- Reporting (company members) -------------------------------------------------------------


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


@login_required
def report_create(request):
    """The page behind every "Signaler" link: ?target_type=listing&target_id=12&next=/annonces/12/.

    Only members of a verified company may report (others get a 403 page saying why)."""
    try:
        membership = check_verified_member(request.user)
    except PermissionDenied:
        return render(request, "moderation/report_forbidden.html", status=403)
    if request.method == "POST":
        form = forms.ReportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.report_create(
                    reporter=request.user,
                    reporter_company=membership.company,
                    target_type=data["target_type"],
                    target_id=data["target_id"],
                    reason=data["reason"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, _("Merci : votre signalement a été transmis à un conseiller CCI.")
                )
                return redirect(_safe_next(request, data["next"]))
        status_code = 400
    else:
        form = forms.ReportForm(initial=request.GET.dict())
        status_code = 200
    next_url = form["next"].value() or ""
    cancel_url = _safe_next(request, next_url) if next_url else ""
    return render(
        request,
        "moderation/report_form.html",
        {"form": form, "cancel_url": cancel_url},
        status=status_code,
    )


# --- Audit log and statistics ----------------------------------------------------------------


@require_GET
@moderator_required
def log(request):
    queryset = scope_to_territory(AuditLogEntry.objects.all(), request.moderator)
    action = request.GET.get("action", "")
    if action in dict(AuditLogEntry.Action.choices):
        queryset = queryset.filter(action=action)
    else:
        action = ""
    # The history of one object (the "Historique" links of the queues).
    target_type, target_id = request.GET.get("target_type", ""), request.GET.get("target_id", "")
    if target_type and target_id.isdigit():
        queryset = queryset.filter(target_type=target_type, target_id=int(target_id))
    else:
        target_type = target_id = ""
    page = _page(request.GET, queryset.order_by("-created_at", "-id"))
    page.object_list = attach_log_labels(page.object_list)
    return render(
        request,
        "moderation/log.html",
        {
            "page": page,
            "action": action,
            "actions": AuditLogEntry.Action.choices,
            "target_type": target_type,
            "target_id": target_id,
        },
    )


def _bars(counts: dict[str, int], labels: dict[str, str]) -> list[dict]:
    """Rows for a table with bars: label, count and width in % of the largest count."""
    top = max(counts.values(), default=0) or 1
    rows = [
        {"key": key, "label": labels.get(key, key), "n": n, "width": round(100 * n / top)}
        for key, n in counts.items()
    ]
    return sorted(rows, key=lambda row: -row["n"])


@require_GET
@moderator_required
def stats(request):
    from bourse.listings.models import Category

    moderator = request.moderator
    form = forms.StatsForm(request.GET or None, departements=_departement_choices(moderator))
    departement, since = None, None
    if form.is_bound and form.is_valid():
        departement = form.cleaned_data["departement"] or None
        since = form.cleaned_data["since"]
    figures = territory_stats(
        departements=check_departement_param(moderator, departement), since=since
    )
    category_names = {c.slug: c.localized_name for c in Category.objects.all()}
    supply = [
        {**row, "name": category_names.get(row["category"], row["category"])}
        for row in figures["by_category"]
    ]
    return render(
        request,
        "moderation/stats.html",
        {
            "form": form,
            "figures": figures,
            "companies": _bars(figures["companies"], dict(Company.Status.choices)),
            "listings": _bars(figures["listings"], dict(Listing.Status.choices)),
            "by_category": _bars(figures["listings_by_category"], category_names),
            "territory": _territory_label(moderator),
            "weekly_chart": charts.grouped_columns(
                figures["weekly"],
                label="week",
                series=[
                    ("offers", _("Offres")),
                    ("needs", _("Besoins")),
                    ("conversations", _("Conversations")),
                    ("deals", _("Échanges réalisés")),
                    ("companies_verified", _("Entreprises vérifiées")),
                ],
            ),
            "supply": supply,
            "supply_chart": charts.grouped_columns(
                supply, label="name", series=[("offers", _("Offres")), ("needs", _("Besoins"))]
            ),
            "exports": _export_links(departement, since),
        },
    )


def _export_links(departement, since) -> dict[str, str]:
    """The CSV exports of what the page shows (the API answers CSV with `?format=csv`)."""
    query = {"format": "csv"}
    if departement:
        query["departement"] = departement
    stats_query = {**query, **({"since": since.isoformat()} if since else {})}
    return {
        "stats": reverse("api-moderation-stats") + "?" + urlencode(stats_query),
        "listings": reverse("api-moderation-listings") + "?" + urlencode(query),
        "log": reverse("api-moderation-log") + "?" + urlencode(query),
    }


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
