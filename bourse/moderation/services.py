"""Moderation writes. Every moderator action is recorded here, in the caller's transaction."""

from django.db import transaction

from accounts.models import User

from .models import AuditLogEntry


def audit_log_write(
    *,
    actor: User,
    action: str,
    target_type: str,
    target_id: int,
    departement: str = "",
    reason: str = "",
    data: dict | None = None,
) -> AuditLogEntry:
    """Append one entry. Call it inside the service's atomic block, with the change itself."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_log_write must run inside the transaction of the change")
    return AuditLogEntry.objects.create(
        actor=actor,
        actor_email=actor.email,
        action=action,
        target_type=target_type,
        target_id=target_id,
        departement=departement,
        reason=reason,
        data=data or {},
    )
