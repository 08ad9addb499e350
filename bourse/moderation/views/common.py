"""Shared by the moderation pages: who may see them, paging, the queue items' actions, and the
dashboard."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Company
from accounts.permissions import moderator_for
from bourse.geo import data as geo
from bourse.listings.models import Crisis

from .. import queues
from .. import unanswered as unanswered_services
from ..models import AuditLogEntry
from ..permissions import (
    check_departement_param,
    check_not_own_company,
    scope_to_territory,
)
from ..queries import attach_log_labels, waiting_counts

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
            "crises": Crisis.objects.not_over()
            .order_by("starts_at", "id")
            .touching(None if moderator.is_national else moderator.departements),
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


def _back(request, name: str):
    """Back to the queue as it was: its status, filters and page."""
    url = reverse(name)
    keys = ("statut", "departement", "verdict", "categorie", "days", "page")
    query = {key: request.POST[key] for key in keys if request.POST.get(key)}
    return redirect(f"{url}?{urlencode(query)}" if query else url)
