"""Reports of abuse: the moderators' queue and the members' form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import check_verified_member
from bourse.core.errors import messages_of
from bourse.core.redirects import safe_next

from .. import forms, services
from ..models import Report
from ..permissions import (
    check_can_decide,
    scope_to_territory,
    territory_object_or_404,
)
from ..queries import attach_report_targets
from .common import (
    _back,
    _page,
    _status_filter,
    moderator_required,
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
    return safe_next(request, url, reverse("home"))


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
