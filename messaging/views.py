"""French pages: inbox, one conversation (live over the socket, plain POST as a fallback), and
"Contacter l'entreprise" for a listing."""

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bourse.core.errors import add_service_error
from bourse.listings.models import Kind, Listing
from bourse.notifications.queries import unread_count as notification_unread_count

from . import permissions, queries, services
from .models import BODY_MAX_LENGTH, CLIENT_ID_MAX_LENGTH, Conversation, Message, ReadMark

PAGE_MESSAGES = 50


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Votre message"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": BODY_MAX_LENGTH}),
    )
    # Generated with the page: resubmitting the same form never stores the message twice.
    client_id = forms.CharField(
        max_length=CLIENT_ID_MAX_LENGTH, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4().hex)


@login_required
def inbox(request):
    company_id = permissions.company_id_of(request.user)
    conversations = (
        queries.inbox(company_id, limit=queries.INBOX_SHOWN) if company_id is not None else []
    )
    context = {
        "conversations": conversations,
        "has_company": company_id is not None,
        # What chat.js needs to draw a conversation that arrives live.
        "inbox_i18n": {
            "kinds": {kind.value: str(kind.label) for kind in Kind},
            "deleted": _("Utilisateur supprimé"),
            "urlPattern": reverse("messaging:conversation", args=[0]),
        },
    }
    if company_id is not None and len(conversations) < queries.INBOX_SHOWN:
        # Every conversation is on the page: the navigation's badge is the sum of theirs,
        # not a second count of the same messages (messaging.context_processors).
        context["unread_total"] = sum(item.unread_count for item in conversations)
    return render(request, "messaging/inbox.html", context)


@login_required
@never_cache
def conversation(request, pk: int):
    conv = permissions.get_conversation_for_reading(request.user, pk)
    company_id = permissions.company_id_of(request.user)
    participant = permissions.is_participant(request.user, conv)
    can_write, write_refusal = participant, ""
    if participant:
        try:
            permissions.check_can_write(request.user, conv)
        except PermissionDenied as exc:
            can_write, write_refusal = False, str(exc)

    elif request.method == "GET":
        services.record_outside_read(user=request.user, conversation=conv)

    form = MessageForm()
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied(write_refusal or _("Lecture seule."))
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                message, _created = services.message_send(
                    conversation=conv,
                    by=request.user,
                    body=form.cleaned_data["body"],
                    client_id=form.cleaned_data["client_id"] or None,
                )
            except services.MessagingError as exc:
                add_service_error(form, exc)
            else:
                return redirect(f"{conv.get_absolute_url()}#m{message.pk}")

    messages_qs = Message.objects.filter(conversation=conv).select_related("sender", "company")
    before = request.GET.get("before")
    if before and before.isdigit():
        messages_qs = messages_qs.filter(id__lt=int(before))
    page = list(messages_qs.order_by("-id")[: PAGE_MESSAGES + 1])
    page, more = page[:PAGE_MESSAGES], len(page) > PAGE_MESSAGES
    older = page[-1].pk if more else None
    page.reverse()

    if participant and page and not before:
        services.mark_read(conversation=conv, by=request.user, up_to=page[-1].pk)

    partner = conv.partner_of(company_id) if participant else None
    partner_read = 0
    if partner is not None:
        partner_read = (
            ReadMark.objects.filter(conversation=conv, company=partner)
            .values_list("last_read_message_id", flat=True)
            .first()
            or 0
        )
    read_marker = max(
        (m.pk for m in page if m.company_id == company_id and m.pk <= partner_read), default=0
    )
    return render(
        request,
        "messaging/conversation.html",
        {
            "conversation": conv,
            "partner": partner,
            "participant": participant,
            "can_write": can_write,
            "write_refusal": write_refusal,
            "messages_page": page,
            "older_before": older,
            "form": form,
            "company_id": company_id,
            "partner_read": partner_read,
            "read_marker": read_marker,
            "chat_config": {
                "conversation": conv.pk,
                "company": company_id,
                "partnerRead": partner_read,
                "messagesUrl": reverse("api-conversation-messages", args=[conv.pk]),
                "readUrl": reverse("api-conversation-read", args=[conv.pk]),
                "lastId": page[-1].pk if page else 0,
                "live": bool(participant and not before),
            },
        },
    )


class StartForm(MessageForm):
    pass


@login_required
def start(request, listing_pk: int):
    listing = get_object_or_404(Listing.objects.select_related("company"), pk=listing_pk)
    refusal = ""
    try:
        membership = permissions.check_can_start_conversation(request.user, listing)
    except PermissionDenied as exc:
        membership, refusal = None, str(exc) or _("Action non autorisée.")
    except permissions.ListingNotContactable as exc:
        membership, refusal = None, exc.detail
    existing = None
    if membership is not None:
        existing = Conversation.objects.filter(
            listing=listing, other_company_id=membership.company_id
        ).first()
    form = StartForm()
    limited = False
    if request.method == "POST" and membership is not None:
        form = StartForm(request.POST)
        if form.is_valid():
            try:
                conv, _created = services.conversation_start(
                    listing=listing,
                    by=request.user,
                    body=form.cleaned_data["body"],
                    client_id=form.cleaned_data["client_id"] or None,
                )
            except services.MessagingError as exc:
                add_service_error(form, exc)
                limited = exc.http_status == 429
            else:
                return redirect(conv.get_absolute_url())
    status = 200 if membership is not None or request.method == "GET" else 403
    if limited:
        status = 429
    return render(
        request,
        "messaging/start.html",
        {"listing": listing, "form": form, "refusal": refusal, "existing": existing},
        status=status,
    )


@require_GET
@never_cache
def unread_total(request):
    """`{"total": n, "notifications": m}`: unread messages and notifications, for the
    navigation's badges (realtime.js refreshes them after a read in another tab or a gap)."""
    if not request.user.is_authenticated:
        return JsonResponse({"total": 0, "notifications": 0}, status=401)
    company_id = permissions.company_id_of(request.user)
    total = queries.unread_total(company_id) if company_id is not None else 0
    return JsonResponse({"total": total, "notifications": notification_unread_count(company_id)})


def followup(request, token: str):
    """An answer of the "did an exchange happen?" e-mail (messaging/followup.py), no login: the
    page says what will be recorded (for a yes: the quantity, and for the listing's company
    whether to mark it fulfilled) and its button records it once."""
    from decimal import Decimal, InvalidOperation

    from . import followup as links

    error = ""
    if request.method == "POST":
        raw = (request.POST.get("quantity") or "").strip().replace(",", ".")
        try:
            quantity = Decimal(raw) if raw else None
            link = links.answer(token, quantity=quantity, fulfil=request.POST.get("fulfil") == "on")
        except (InvalidOperation, ValidationError):
            error = _("Indiquez une quantité positive, ou laissez le champ vide.")
            link = links.read(token)
    else:
        link = links.read(token)
    status = {"ok": 200, "done": 200, "used": 410, "expired": 410, "invalid": 400}[link.status]
    if error:
        status = 400
    response = render(
        request, "messaging/followup.html", {"link": link, "error": error}, status=status
    )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
