"""Tell a company something: store it, push it over the WebSocket, e-mail its members.

Pushes leave after the transaction commits, so nobody hears of a change that rolled back;
e-mails are outbox rows of the same transaction, sent after commit and retried until they go.
"""

from django.conf import settings
from django.db import transaction

from accounts import unsubscribe
from accounts.models import Company, User
from bourse.core import realtime
from bourse.core.outbox import send_email

from .models import Notification
from .texts import render


def email_company_members(
    *,
    company: Company,
    key: str,
    subject: str | dict,
    body: str | dict,
    url: str = "",
    kind: str = "",
) -> None:
    """One e-mail to each active member of the company, stored in the current transaction and
    sent after commit by the outbox (bourse.core.outbox). `key` names the event: with the
    member's id it makes each e-mail's idempotency key. `subject` and `body` are texts to write
    (texts.text: written when the e-mail is sent, in each member's language) or plain text.
    A new match (`kind` "match") is e-mailed at once only to the members who chose so; the
    others get it in their daily digest, or never (their notification preferences)."""
    members = company.memberships.filter(user__is_active=True).select_related("user")
    if kind == Notification.Kind.MATCH:
        members = members.filter(user__match_emails=User.MatchEmails.INSTANT)
    for membership in members:
        send_email(
            key=f"{key}:user:{membership.user_id}",
            to=membership.user,
            template="notifications/email/notification",
            context={
                "subject": subject,
                "body": body,
                "link": f"{settings.SITE_URL}{url}" if url else "",
            },
            unsubscribe_url=(
                unsubscribe.url_for(membership.user, "match_emails")
                if kind == Notification.Kind.MATCH
                else ""
            ),
        )


@transaction.atomic
def notify(
    *,
    company: Company,
    kind: str,
    title: str | dict,
    body: str | dict = "",
    url: str = "",
    data: dict | None = None,
    email: bool = False,
) -> Notification:
    """Record an in-app notification, push it to connected members and optionally e-mail them.
    `title` and `body` are best given as texts (texts.text / texts.plural): each reader then
    sees them in their own language, on the page, in the API and in the e-mail."""
    texts = {
        name: spec for name, spec in (("title", title), ("body", body)) if isinstance(spec, dict)
    }
    notification = Notification.objects.create(
        company=company,
        kind=kind,
        title=render(title)[:200],
        body=render(body),
        url=url,
        data=data or {},
        texts=texts,
    )
    realtime.send_event_on_commit(
        companies=(company.pk,),
        event={
            "type": "notification",
            "kind": kind,
            "data": {
                "id": notification.pk,
                "title": notification.title,
                "body": notification.body,
                "url": url,
                **(data or {}),
            },
        },
    )
    if email:
        email_company_members(
            company=company,
            key=f"notification:{notification.pk}",
            subject=title,
            body=body,
            url=url,
            kind=kind,
        )
    return notification


@transaction.atomic
def notifications_mark_read(*, company: Company, up_to: int | None = None) -> int:
    """Mark the company's unread notifications as read (all, or those with id <= up_to).
    Returns how many changed."""
    from django.utils import timezone

    unread = Notification.objects.filter(company=company, read_at__isnull=True)
    if up_to is not None:
        unread = unread.filter(pk__lte=up_to)
    marked = unread.update(read_at=timezone.now())
    if marked:
        _announce_read(company.pk)
    return marked


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read (idempotent: the first reading time is kept)."""
    from django.utils import timezone

    if notification.read_at is None:
        marked = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db(fields=["read_at"])
        if marked:
            _announce_read(notification.company_id)
    return notification


def _announce_read(company_id: int) -> None:
    """Tell the company's open pages that notifications were read, so that the bell of every
    tab and every colleague shows the new count (they fetch it: the event carries none)."""
    realtime.send_event_on_commit(
        companies=(company_id,), event={"type": "notification.read", "company": company_id}
    )
