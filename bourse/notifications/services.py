"""Tell a company something: store it, push it over the WebSocket, e-mail its members.

Pushes leave after the transaction commits, so nobody hears of a change that rolled back;
e-mails are outbox rows of the same transaction, sent after commit and retried until they go.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from accounts import unsubscribe
from accounts.models import Company, Membership, User
from bourse.core import realtime
from bourse.core.outbox import Email, send_emails

from .models import Notification
from .texts import render


def _members_to_email(company_ids, kind: str) -> dict[int, list]:
    """The active members of each company who get an e-mail of this kind at once: everyone,
    except for a new match ("match"), which only the members who chose so get at once (the
    others get it in their daily digest, or never: their notification preferences)."""
    members = Membership.objects.filter(
        company_id__in=company_ids, user__is_active=True
    ).select_related("user")
    if kind == Notification.Kind.MATCH:
        members = members.filter(user__match_emails=User.MatchEmails.INSTANT)
    by_company: dict[int, list] = {}
    for membership in members.order_by("company_id", "pk"):
        by_company.setdefault(membership.company_id, []).append(membership)
    return by_company


def _member_emails(
    memberships, *, key: str, subject: str | dict, body: str | dict, url: str, kind: str
) -> list[Email]:
    return [
        Email(
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
        for membership in memberships
    ]


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
    send_emails(
        _member_emails(
            _members_to_email([company.pk], kind).get(company.pk, ()),
            key=key,
            subject=subject,
            body=body,
            url=url,
            kind=kind,
        )
    )


@dataclass(frozen=True)
class Notice:
    """One notification to record: what notify() takes."""

    company: Company
    kind: str
    title: str | dict
    body: str | dict = ""
    url: str = ""
    data: dict | None = None
    email: bool = False


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
    notice = Notice(company, kind, title, body, url, data, email)
    return notify_many([notice])[0]


@transaction.atomic
def notify_many(notices: list[Notice]) -> list[Notification]:
    """notify() for several notices in one go (what one event tells several companies, e.g.
    both sides of new matches): the notifications in one INSERT, the members to e-mail in one
    query, the e-mails to members in one more (outbox.send_emails), then one push per
    notification after commit."""
    rows = [
        Notification(
            company=notice.company,
            kind=notice.kind,
            title=render(notice.title)[:200],
            body=render(notice.body),
            url=notice.url,
            data=notice.data or {},
            texts={
                name: spec
                for name, spec in (("title", notice.title), ("body", notice.body))
                if isinstance(spec, dict)
            },
        )
        for notice in notices
    ]
    if not rows:
        return []
    if connection.features.can_return_rows_from_bulk_insert:
        Notification.objects.bulk_create(rows)
    else:  # an old SQLite: one INSERT each, to know their ids
        for row in rows:
            row.save()
    members: dict[str, dict[int, list]] = {}
    for kind in {notice.kind for notice in notices if notice.email}:
        members[kind] = _members_to_email(
            {notice.company.pk for notice in notices if notice.email and notice.kind == kind},
            kind,
        )
    emails: list[Email] = []
    for notice, notification in zip(notices, rows, strict=True):
        realtime.send_event_on_commit(
            companies=(notice.company.pk,),
            event={
                "type": "notification",
                "kind": notice.kind,
                "data": {
                    "id": notification.pk,
                    "title": notification.title,
                    "body": notification.body,
                    "url": notice.url,
                    **(notice.data or {}),
                },
            },
        )
        if notice.email:
            emails += _member_emails(
                members[notice.kind].get(notice.company.pk, ()),
                key=f"notification:{notification.pk}",
                subject=notice.title,
                body=notice.body,
                url=notice.url,
                kind=notice.kind,
            )
    send_emails(emails)
    return rows


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
