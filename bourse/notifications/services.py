"""Tell a company something: store it, push it over the WebSocket, e-mail its members.

Pushes and e-mails leave after the transaction commits, so nobody hears of a change that
rolled back.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from accounts.models import Company
from bourse.core import realtime

from .models import Notification


def email_company_members(*, company: Company, subject: str, body: str) -> None:
    """Send one e-mail to each active member of the company, after commit."""
    recipients = list(
        company.memberships.filter(user__is_active=True).values_list("user__email", flat=True)
    )
    if not recipients:
        return

    def send() -> None:
        for email in recipients:
            send_mail(
                subject=f"[Bourse d'entraide] {subject}",
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[email],
                fail_silently=False,
            )

    transaction.on_commit(send)


@transaction.atomic
def notify(
    *,
    company: Company,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    data: dict | None = None,
    email: bool = False,
) -> Notification:
    """Record an in-app notification, push it to connected members and optionally e-mail them."""
    notification = Notification.objects.create(
        company=company, kind=kind, title=title, body=body, url=url, data=data or {}
    )
    realtime.send_event_on_commit(
        companies=(company.pk,),
        event={
            "type": "notification",
            "kind": kind,
            "data": {
                "id": notification.pk,
                "title": title,
                "body": body,
                "url": url,
                **(data or {}),
            },
        },
    )
    if email:
        link = f"\n\n{settings.SITE_URL}{url}" if url else ""
        email_company_members(company=company, subject=title, body=f"{body}{link}")
    return notification


@transaction.atomic
def notifications_mark_read(*, company: Company, up_to: int | None = None) -> int:
    """Mark the company's unread notifications as read (all, or those with id <= up_to).
    Returns how many changed."""
    from django.utils import timezone

    unread = Notification.objects.filter(company=company, read_at__isnull=True)
    if up_to is not None:
        unread = unread.filter(pk__lte=up_to)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read (idempotent: the first reading time is kept)."""
    from django.utils import timezone

    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
