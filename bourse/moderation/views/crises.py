"""Crisis mode pages: the territory's crises, the form to open one, the close button; and the
banner's "Masquer" for the companies."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bourse.core.errors import ServiceError, add_service_error
from bourse.listings.models import Crisis

from .. import crises as crisis_services
from .. import forms
from ..context_processors import DISMISSED_KEY
from ..permissions import check_can_close_crisis, crisis_of_territory_or_404
from .common import _territory_label, moderator_required
from .reports import _safe_next


def _crises_page(request, *, form=None, status_code: int = 200):
    moderator = request.moderator
    found = (
        Crisis.objects.prefetch_related("priority_categories")
        .order_by("-starts_at", "-id")
        .touching(None if moderator.is_national else moderator.departements)
    )
    now = timezone.now()
    current = [c for c in found if not c.is_over]
    past = [c for c in found if c.is_over][:20]
    for crisis in current:
        try:
            check_can_close_crisis(moderator, crisis)
            crisis.can_close = True
        except PermissionDenied:
            crisis.can_close = False
    if form is None:
        form = forms.CrisisForm(
            initial={
                "departements": ", ".join(moderator.departements),
                "starts_at": timezone.localtime(now).replace(second=0, microsecond=0),
            }
        )
    return render(
        request,
        "moderation/crises.html",
        {
            "current": current,
            "past": past,
            "form": form,
            "territory": _territory_label(moderator),
            "crisis_target_hours": settings.CRISIS_MODERATION_TARGET_HOURS,
            "crisis_lifetime_days": settings.CRISIS_LISTING_LIFETIME_DAYS,
        },
        status=status_code,
    )


@require_GET
@moderator_required
def crises(request):
    return _crises_page(request)


@require_POST
@moderator_required
def crisis_open(request):
    form = forms.CrisisForm(request.POST)
    if form.is_valid():
        try:
            crisis = crisis_services.crisis_open(
                by=request.user, moderator=request.moderator, **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if crisis.status == Crisis.Status.SCHEDULED:
                text = _("Crise « %(title)s » programmée : elle commencera le %(date)s.") % {
                    "title": crisis.title,
                    "date": timezone.localtime(crisis.starts_at).strftime("%d/%m/%Y %H:%M"),
                }
            else:
                text = _("Crise « %(title)s » ouverte.") % {"title": crisis.title}
            messages.success(request, text)
            return redirect("moderation:crises")
    return _crises_page(request, form=form, status_code=400)


@require_POST
@moderator_required
def crisis_close(request, pk: int):
    crisis = crisis_of_territory_or_404(request.moderator, pk)
    check_can_close_crisis(request.moderator, crisis)
    try:
        crisis_services.crisis_close(crisis=crisis, by=request.user)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Crise « %(title)s » clôturée.") % {"title": crisis.title})
    return redirect("moderation:crises")


@require_POST
def crisis_banner_hide(request, pk: int):
    """Hide a crisis banner for the rest of the session (it shows again on the next login)."""
    crisis = get_object_or_404(Crisis, pk=pk)
    hidden = [int(x) for x in request.session.get(DISMISSED_KEY, []) if str(x).isdigit()]
    if crisis.pk not in hidden:
        request.session[DISMISSED_KEY] = [*hidden, crisis.pk][-20:]
    return redirect(_safe_next(request, request.POST.get("next", "")))
