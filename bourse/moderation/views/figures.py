"""The audit log and the territory's statistics."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Company
from bourse.listings.models import Listing

from .. import charts, forms
from ..models import AuditLogEntry
from ..permissions import (
    check_departement_param,
    scope_to_territory,
)
from ..queries import attach_log_labels, territory_stats
from .common import (
    _departement_choices,
    _page,
    _territory_label,
    moderator_required,
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
            "commune_map": charts.commune_map(
                figures["by_commune"], departements=check_departement_param(moderator, departement)
            ),
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
