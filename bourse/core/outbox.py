"""The one way out for e-mails and background work: a transactional outbox.

A side effect is a row (`OutboxEntry`) written in the transaction of the change that causes it,
under a unique key naming the event and the recipient. It is run after commit; it never raises
into the request that caused it; it is retried with exponential backoff until it succeeds; a
row written twice under the same key, or run twice, sends once.

Why an outbox table in front of django-tasks rather than its database backend alone (read in
django_tasks_db 0.13: `db_worker`, `DBTaskResult`):
- the database backend runs a task once: a task that raises is marked FAILED for good, with no
  retry and no backoff;
- a task claimed by a worker that then dies stays RUNNING for ever: nothing ever looks at it
  again, so a worker killed in the middle of an e-mail would lose it;
- it has no idempotency key: the same event enqueued twice runs twice;
- with any other backend (the inline one of the embedded default, a broker later) enqueuing is
  not part of the database transaction.
So the outbox row carries what the backend lacks (key, attempts, next due time, lease, last
error), and the django-tasks task `bourse.core.tasks.deliver(entry_id)` is only the vehicle that
wakes a worker (`manage.py db_worker`). With the database backend the vehicle is enqueued in the
same transaction as the row (both commit or neither); with any other backend (TASKS_BACKEND=
immediate) it is enqueued after commit, which runs the delivery inline, after the response's
data is safe, and never raises. Whatever happens to a vehicle, the scheduler's sweeper
(bourse/core/jobs.py) takes up again the rows that are due and have no live task, and the rows
whose run outlived its lease (a killed worker).

A run first claims its row (one conditional UPDATE: pending and due, or running with an expired
lease), so two runs at once never both send; a row marked done is never run again. SMTP cannot
do better than "at least once" if a worker dies between the server's acceptance and the row's
update; each message carries a Message-ID derived from the key, so a receiving server can tell
such a copy for what it is.

E-mails are rendered when they are delivered, in the recipient's language
(`recipient_language`, the one hook for a language preference); subjects go through
`safe_subject`, so no user text (a CR/LF in a listing title or a company name) can break them.

It stays one module past 500 lines on purpose: storing, claiming, delivering, retrying and
sweeping an entry are the life of one row under one set of locking rules, which a reader checks
in one place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import unicodedata
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.module_loading import import_string

from .models import OutboxEntry
from .rows import insert_new_rows

logger = logging.getLogger("bourse.outbox")

Status = OutboxEntry.Status
Kind = OutboxEntry.Kind

SUBJECT_PREFIX = "[Bourse d'entraide] "
SUBJECT_MAX_LENGTH = 200
# A due row whose vehicle is not waiting in the queue for this long is enqueued again.
SWEEP_GRACE = timedelta(seconds=60)
SWEEP_BATCH = 500
# Bidirectional overrides and isolates: they reorder what a mail client shows.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


class RecipientGone(Exception):
    """The user an e-mail was for no longer exists or is deactivated: nothing to send."""


# --- Enqueuing (inside the caller's transaction) ------------------------------------------------


def send_email(
    *,
    key: str,
    to,
    template: str,
    context: dict | None = None,
    language: str | None = None,
    unsubscribe_url: str = "",
) -> OutboxEntry:
    """Store one e-mail for one recipient, to be rendered and sent after commit.

    `key` names the event and the recipient (`"invitation:12"`, `"notification:5:user:3"`): a
    second call with the same key stores nothing. `to` is a user (their current address and
    language are read at delivery; a user gone or deactivated by then gets nothing) or an
    address. `template` is a prefix: `<template>_subject.txt`, `<template>_message.txt` and,
    if it exists, `<template>_message.html`, rendered with `context` (JSON data: ids, strings,
    numbers), `site_url` and `recipient`. `unsubscribe_url`: the one-click link that turns
    this kind of e-mail off (RFC 8058): it goes in the `List-Unsubscribe` headers and at the
    foot of the text.
    """
    payload = {**_recipient(to), "template": template, "context": _json(context or {})}
    if language:
        payload["language"] = language
    if unsubscribe_url:
        payload["unsubscribe"] = str(unsubscribe_url)
    return _store(key=key, kind=Kind.EMAIL, payload=payload)


@dataclass(frozen=True)
class Email:
    """One e-mail of send_emails: send_email's arguments."""

    key: str
    to: object
    template: str
    context: dict | None = None
    language: str | None = None
    unsubscribe_url: str = ""


def send_emails(emails: list[Email]) -> None:
    """send_email for several e-mails in one statement: rows whose key is already stored are
    left alone (an event replayed never sends twice), the others are inserted together and
    dispatched as send_email does. For an event that e-mails many people at once (a new
    match's two companies): one INSERT instead of a savepoint and an INSERT per e-mail."""
    if not emails:
        return
    now = timezone.now()
    rows = {}
    for email in emails:
        payload = {
            **_recipient(email.to),
            "template": email.template,
            "context": _json(email.context or {}),
        }
        if email.language:
            payload["language"] = email.language
        if email.unsubscribe_url:
            payload["unsubscribe"] = str(email.unsubscribe_url)
        key = _normal_key(email.key)
        rows.setdefault(
            key,
            {
                "key": key,
                "kind": Kind.EMAIL,
                "payload": payload,
                "status": Status.PENDING,
                "attempts": 0,
                "run_after": now,
                "last_error": "",
                "created_at": now,
            },
        )
    inserted = insert_new_rows(OutboxEntry, list(rows.values()), unique=("key",))
    for entry_id, _key in sorted(inserted):
        _dispatch(entry_id)


def send_rendered_email(
    *, key: str, to, subject: str, body: str, html: str = "", sensitive: bool = False
) -> OutboxEntry:
    """Store an e-mail rendered by someone else (allauth's messages), to be sent after commit.
    `sensitive` (a code, a reset link): the text is wiped from the row once sent, and the
    admin never shows it."""
    payload = _json(
        {**_recipient(to), "subject": str(subject), "body": str(body), "html": str(html)}
    )
    if sensitive:
        payload["sensitive"] = True
    return _store(key=key, kind=Kind.EMAIL, payload=payload)


def defer(task, *args, key: str, **kwargs) -> OutboxEntry:
    """Store a call of a django-tasks task, run after commit with retries; `key` names the
    event (a second call with the same key stores nothing). The task must be idempotent: a
    worker killed in its middle runs it again."""
    from django_tasks.base import Task

    if not isinstance(task, Task):
        raise TypeError(f"defer() takes a django-tasks task, not {task!r}")
    payload = {"task": task.module_path, "args": _json(list(args)), "kwargs": _json(kwargs)}
    return _store(key=key, kind=Kind.TASK, payload=payload)


def _recipient(to) -> dict:
    if isinstance(to, str):
        return {"to": to, "user": None}
    return {"to": to.email, "user": to.pk}


def _json(value):
    """JSON data only (lazy translations become text, dates ISO strings), without NUL
    characters (PostgreSQL's jsonb refuses them)."""
    return _without_nul(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def _normal_key(key: str) -> str:
    if len(key) <= 255:
        return key
    return key[:190] + ":" + hashlib.sha256(key.encode()).hexdigest()


def _store(*, key: str, kind: str, payload: dict) -> OutboxEntry:
    key = _normal_key(key)
    try:
        with transaction.atomic():
            entry = OutboxEntry.objects.create(
                key=key, kind=kind, payload=payload, run_after=timezone.now()
            )
    except IntegrityError:
        existing = OutboxEntry.objects.filter(key=key).first()
        if existing is None:
            raise
        return existing
    entry.task_id = _dispatch(entry.pk)
    return entry


def _durable_backend() -> bool:
    """True when the task backend stores its queue in this database (enqueuing is then part of
    the transaction)."""
    from django_tasks_db import DatabaseBackend

    from .tasks import deliver

    return isinstance(deliver.get_backend(), DatabaseBackend)


def _dispatch(entry_id: int, *, run_after: datetime | None = None) -> str | None:
    """Wake a worker for the row: now (in the transaction) with the database backend, after
    commit otherwise. A retry `run_after` a delay is queued for then with the database
    backend; other backends leave it to the sweeper. Returns the queued task's id, if any."""
    from .tasks import deliver

    if _durable_backend():
        vehicle = deliver if run_after is None else deliver.using(run_after=run_after)
        result = vehicle.enqueue(entry_id)
        OutboxEntry.objects.filter(pk=entry_id).update(task_id=result.id)
        return result.id
    if run_after is None:
        transaction.on_commit(lambda: _enqueue_quietly(entry_id))
    return None


def _enqueue_quietly(entry_id: int) -> None:
    """After commit, with a non-durable backend: never raise into the request."""
    from .tasks import deliver

    try:
        deliver.enqueue(entry_id)
    except Exception:
        logger.exception("outbox entry %s: could not start its run; the sweeper will", entry_id)


# --- Running (in the worker, or inline after commit) --------------------------------------------


def run_entry(entry_id: int, *, now: datetime | None = None) -> str:
    """Claim the row, do what it says, record the outcome. Returns "done", "retry", "failed"
    or "skipped" (another run holds it, it is not due, or it is already done). Never raises
    because of what the row does."""
    now = now or timezone.now()
    lease = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    claimed = (
        OutboxEntry.objects.filter(pk=entry_id)
        .filter(
            Q(status=Status.PENDING, run_after__lte=now)
            | Q(status=Status.RUNNING, lease_until__lt=now)
        )
        .update(status=Status.RUNNING, lease_until=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    entry = OutboxEntry.objects.get(pk=entry_id)
    mine = OutboxEntry.objects.filter(pk=entry_id, status=Status.RUNNING, lease_until=lease)
    try:
        note = _perform(entry)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        return _record_failure(entry, mine, exc, now=now)
    done = {"status": Status.DONE, "done_at": timezone.now(), "lease_until": None}
    if entry.payload.get("sensitive"):
        done["payload"] = redacted(entry.payload)
    mine.update(**done, last_error=note)
    return "done"


def redacted(payload: dict) -> dict:
    """The payload without the text of a sensitive e-mail."""
    if not payload.get("sensitive"):
        return payload
    return {**payload, "body": "…", "html": ""}


def _perform(entry: OutboxEntry) -> str:
    if entry.kind == Kind.TASK:
        from django_tasks.base import Task

        task = import_string(entry.payload["task"])
        if not isinstance(task, Task):
            raise TypeError(f"{entry.payload['task']} is not a task")
        task.call(*entry.payload.get("args", []), **entry.payload.get("kwargs", {}))
        return ""
    try:
        message = render_email(entry)
    except RecipientGone:
        return "Destinataire supprimé ou désactivé : rien n'a été envoyé."
    message.send(fail_silently=False)
    return ""


def backoff(attempts: int) -> timedelta:
    """The wait after the attempt number `attempts` failed: base × 2^(attempts−1), up to 20 %
    more so that rows failing together do not come back together, capped."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    seconds = min(base * (1 + random.random() / 5), settings.OUTBOX_RETRY_MAX_SECONDS)  # noqa: S311
    return timedelta(seconds=seconds)


def _record_failure(entry: OutboxEntry, mine, exc: Exception, *, now: datetime) -> str:
    error = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"[:2000]
    if entry.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        mine.update(status=Status.FAILED, lease_until=None, last_error=error)
        logger.error("outbox entry %s (%s) failed for good: %s", entry.pk, entry.key, error)
        return "failed"
    when = now + backoff(entry.attempts)
    mine.update(status=Status.PENDING, run_after=when, lease_until=None, last_error=error)
    logger.warning(
        "outbox entry %s (%s) failed (attempt %d), next at %s: %s",
        entry.pk,
        entry.key,
        entry.attempts,
        when.isoformat(),
        error,
    )
    try:
        _dispatch(entry.pk, run_after=when)
    except Exception:
        logger.exception("outbox entry %s: could not queue its retry; the sweeper will", entry.pk)
    return "retry"


# --- E-mails ------------------------------------------------------------------------------------


def recipient_language(user) -> str:
    """The language to write to this user in: the one hook for a per-user preference (a user
    model field `language`, when there is one); the site's language otherwise."""
    preferred = getattr(user, "language", "") if user is not None else ""
    known = {code for code, _name in settings.LANGUAGES}
    return preferred if preferred in known else settings.LANGUAGE_CODE


def safe_subject(text) -> str:
    """One line, whatever the text: control characters and line or paragraph separators
    become spaces, bidirectional overrides go, runs of spaces shrink to one, long text is cut."""
    out = []
    for char in str(text):
        if char in _BIDI_CONTROLS:
            continue
        out.append(" " if unicodedata.category(char) in {"Cc", "Zl", "Zp"} else char)
    line = " ".join("".join(out).split())
    if len(line) > SUBJECT_MAX_LENGTH:
        line = line[: SUBJECT_MAX_LENGTH - 1].rstrip() + "…"
    return line


def message_id(key: str) -> str:
    """The same Message-ID for every copy of one outbox e-mail."""
    domain = urllib.parse.urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def _render_text(name: str, context: dict) -> str:
    """A plain-text template: no HTML escaping of company names or quoted messages."""
    return get_template(name).template.render(Context(context, autoescape=False)).strip()


def _with_unsubscribe_foot(body: str, html: str, url: str) -> tuple[str, str]:
    """The one-click unsubscribe link at the foot of the text (and of the HTML, if any), in
    the language being rendered."""
    if not url:
        return body, html
    line = translation.gettext("Pour ne plus recevoir ces e-mails, en un clic :")
    body = f"{body}\n\n-- \n{line} {url}"
    if html:
        link = format_html('<p><small>{} <a href="{}">{}</a></small></p>', line, url, url)
        html = f"{html}{link}"
    return body, html


def render_email(entry: OutboxEntry) -> EmailMultiAlternatives:
    """The message an e-mail row stands for, rendered now in the recipient's language."""
    payload = entry.payload
    user = None
    if payload.get("user") is not None:
        user = get_user_model().objects.filter(pk=payload["user"], is_active=True).first()
        if user is None:
            raise RecipientGone(payload["user"])
    to = user.email if user is not None else payload["to"]
    language = payload.get("language") or recipient_language(user)
    with translation.override(language):
        if "template" in payload:
            template = payload["template"]
            context = {**payload.get("context", {}), "site_url": settings.SITE_URL}
            context["recipient"] = user
            subject = SUBJECT_PREFIX + safe_subject(
                _render_text(f"{template}_subject.txt", context)
            )
            body = _render_text(f"{template}_message.txt", context)
            try:
                html = render_to_string(f"{template}_message.html", context)
            except TemplateDoesNotExist:
                html = ""
            body, html = _with_unsubscribe_foot(body, html, payload.get("unsubscribe", ""))
        else:
            subject = safe_subject(payload["subject"])
            body, html = payload["body"], payload.get("html", "")
    headers = {"Message-ID": message_id(entry.key)}
    if payload.get("unsubscribe"):
        headers["List-Unsubscribe"] = f"<{payload['unsubscribe']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject,
        body=body.replace("\x00", ""),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    if html:
        message.attach_alternative(html.replace("\x00", ""), "text/html")
    return message


# --- Sweeping, retrying, counting -----------------------------------------------------------------


def sweep(*, now: datetime | None = None) -> int:
    """Take up again what was left behind: rows whose run outlived its lease (the worker died),
    and due rows with no task waiting in the queue (a vehicle lost, or no worker behind the
    inline backend). Returns how many rows it took up."""
    now = now or timezone.now()
    durable = _durable_backend()
    lost = list(
        OutboxEntry.objects.filter(status=Status.RUNNING, lease_until__lt=now)
        .order_by("lease_until")
        .values_list("pk", "task_id")[:SWEEP_BATCH]
    )
    due = OutboxEntry.objects.filter(
        status=Status.PENDING, run_after__lte=now - SWEEP_GRACE if durable else now
    )
    if durable:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).values("id")
        due = due.exclude(task_id__in=waiting)
    due_ids = list(due.order_by("run_after").values_list("pk", flat=True)[:SWEEP_BATCH])
    if lost:
        logger.warning("outbox: %d run(s) outlived their lease; taking them up again", len(lost))
    if durable:
        _close_lost_vehicles([task_id for _pk, task_id in lost if task_id], now=now)
        for entry_id in [pk for pk, _task in lost] + due_ids:
            try:
                with transaction.atomic():
                    _dispatch(entry_id)
            except Exception:
                logger.exception("outbox entry %s: could not queue it again", entry_id)
    else:
        for entry_id in [pk for pk, _task in lost] + due_ids:
            run_entry(entry_id, now=now)
    return len(lost) + len(due_ids)


def _close_lost_vehicles(task_ids: list, *, now: datetime) -> None:
    """A task a dead worker left RUNNING stays so for ever in django-tasks-db: say what
    happened, so the task list does not show it running."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if task_ids:
        DBTaskResult.objects.filter(id__in=task_ids, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="bourse.core.outbox.WorkerLost",
            traceback="Le worker a disparu pendant cette tâche ; l'envoi a été repris.\n",
        )


@transaction.atomic
def retry(entry_ids) -> int:
    """Staff's "retry now": failed or waiting rows start again with a fresh count of attempts.
    Returns how many rows."""
    ids = list(
        OutboxEntry.objects.filter(
            pk__in=list(entry_ids), status__in=[Status.FAILED, Status.PENDING]
        ).values_list("pk", flat=True)
    )
    OutboxEntry.objects.filter(pk__in=ids).update(
        status=Status.PENDING, attempts=0, run_after=timezone.now(), lease_until=None
    )
    for entry_id in ids:
        _dispatch(entry_id)
    return len(ids)


def prune(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete rows done for longer than `older_than`; failed rows stay until staff act."""
    now = now or timezone.now()
    deleted, _by_model = OutboxEntry.objects.filter(
        status=Status.DONE, done_at__lt=now - older_than
    ).delete()
    return deleted


def stats(*, now: datetime | None = None) -> dict:
    """What /healthz reports: rows waiting, running, failed for good, retrying after an error,
    and the age of the oldest waiting row (seconds)."""
    now = now or timezone.now()
    open_rows = OutboxEntry.objects.filter(
        status__in=[Status.PENDING, Status.RUNNING, Status.FAILED]
    )
    counts = dict(
        open_rows.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    pending = open_rows.filter(status=Status.PENDING)
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "pending": counts.get(Status.PENDING, 0),
        "running": counts.get(Status.RUNNING, 0),
        "failed": counts.get(Status.FAILED, 0),
        "retrying": pending.filter(attempts__gt=0).count(),
        "oldest_pending_seconds": round((now - oldest).total_seconds()) if oldest else 0,
    }
