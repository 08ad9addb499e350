"""The notifications page of a company (newest first) and "mark all read"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .queries import notifications_of
from .services import notification_mark_read, notifications_mark_read


@require_GET
@login_required
def notification_list(request):
    membership = request.user.membership_or_none
    queryset = notifications_of(membership.company_id if membership else None)
    page = Paginator(queryset, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "has_company": membership is not None},
    )


@require_POST
@login_required
def mark_read(request):
    membership = request.user.membership_or_none
    if membership is not None:
        up_to = request.POST.get("up_to", "")
        marked = notifications_mark_read(
            company=membership.company, up_to=int(up_to) if up_to.isdigit() else None
        )
        if marked:
            messages.success(request, _("Notifications marquées comme lues."))
    return redirect("notifications:list")


@require_GET
@login_required
def notification_open(request, pk: int):
    """Follow a notification's link, marking it read on the way (another company's: 404)."""
    membership = request.user.membership_or_none
    notification = (
        notifications_of(membership.company_id if membership else None).filter(pk=pk).first()
    )
    if notification is None:
        raise Http404
    notification_mark_read(notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url)
    return redirect("notifications:list")
