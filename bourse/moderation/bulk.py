"""Moderating many companies or listings at once: one action and one reason for a selection,
each item handled on its own (its own transaction, its own audit entry, its own notice), so one
item that cannot be moderated never holds the others back.

An id outside the moderator's territory is answered like an id that does not exist ("not
found"), as everywhere else in moderation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Company
from bourse.core.errors import messages_of
from bourse.listings.models import Listing

from .actions import COMPANY_ACTIONS, LISTING_ACTIONS
from .permissions import check_not_own_company, scope_to_territory, territory_object_or_404

# Bulk actions offered (reinstating, or approving what a moderator has not read, stay single).
COMPANY_BULK_ACTIONS = ("verify", "reject", "suspend")
LISTING_BULK_ACTIONS = ("approve", "reject", "hide")
MAX_IDS = 200

_TARGETS = {
    "company": (Company, COMPANY_ACTIONS, lambda obj: obj.pk),
    "listing": (Listing, LISTING_ACTIONS, lambda obj: obj.company_id),
}


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def bulk_moderate(
    *, by, moderator, target: str, action: str, ids: list[int], reason: str = ""
) -> BulkResult:
    """Apply `action` to each id in order; `reason` was composed and checked by the caller."""
    model, actions, company_of = _TARGETS[target]
    service, needs_reason = actions[action]
    result = BulkResult()
    for pk in dict.fromkeys(ids):  # each id once, in the order given
        try:
            obj = territory_object_or_404(model.objects.all(), moderator, pk)
            check_not_own_company(by, company_of(obj))
            kwargs = {target: obj, "by": by}
            if needs_reason:
                kwargs["reason"] = reason
            with transaction.atomic():
                service(**kwargs)
        except Http404:
            result.failed[pk] = _("Introuvable.")
        except PermissionDenied:
            result.failed[pk] = _("Vous ne pouvez pas modérer votre propre entreprise.")
        except ValidationError as exc:
            result.failed[pk] = " ".join(messages_of(exc))
        else:
            result.done.append(pk)
    return result


def names_of(target: str, ids: list[int], moderator) -> dict[int, str]:
    """What a page calls each item of the moderator's territory (company name, listing title);
    an id outside it gets no name, so a failure never tells what lies elsewhere."""
    model = _TARGETS[target][0]
    field = "name" if model is Company else "title"
    scoped = scope_to_territory(model.objects.filter(pk__in=ids), moderator)
    return dict(scoped.values_list("pk", field))
