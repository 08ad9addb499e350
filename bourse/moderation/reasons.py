"""A moderator's reason: one of the common reasons staff keep in the admin, a free text, or
both (the chosen reason, then the text that completes it). The company reads the result."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bourse.core.errors import ServiceError

from .models import ModerationReason


def reasons_for(target: str, action: str | None = None):
    reasons = ModerationReason.objects.filter(target=target, active=True)
    return reasons.filter(action=action) if action else reasons


def compose_reason(
    *, target: str, action: str, reason_id: int | None, text: str, required: bool
) -> str:
    """The reason to record and show: the chosen common reason, completed by the free text.

    Raises ServiceError on `reason_id` for a reason that is not one of this action's, and on
    `reason` when a reason is required and neither was given."""
    text = (text or "").strip()
    chosen = ""
    if reason_id is not None:
        reason = reasons_for(target, action).filter(pk=reason_id).first()
        if reason is None:
            raise ServiceError(
                _("Ce motif n'existe pas pour cette action."), field="reason_id", code="invalid"
            )
        chosen = reason.text
    if required and not (chosen or text):
        raise ServiceError(
            _("Un motif est obligatoire : choisissez-en un ou écrivez-le."),
            field="reason",
            code="required",
        )
    return "\n".join(part for part in (chosen, text) if part)
