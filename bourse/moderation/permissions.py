"""Who may moderate what. Outside their territory a moderator gets 404, as if nothing were there.

`check_*` functions raise (PermissionDenied → 403, Http404 → 404); the services that follow
assume the action is allowed.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Moderator
from accounts.permissions import moderator_for
from bourse.core.errors import ServiceError
from bourse.listings.models import Crisis
from messaging.models import Message

from .models import Report
from .queries import report_target_company


def check_moderator(user) -> Moderator:
    """The caller's moderator role; 403 for anyone else (company members included)."""
    moderator = moderator_for(user)
    if moderator is None:
        raise PermissionDenied(_("Réservé aux modérateurs."))
    return moderator


def scope_to_territory(queryset, moderator: Moderator, field: str = "departement"):
    """Restrict a queryset of objects with a département to the moderator's territory."""
    if moderator.is_national:
        return queryset
    return queryset.filter(**{f"{field}__in": moderator.departements})


def check_covers(moderator: Moderator, departement: str) -> None:
    if not moderator.covers(departement):
        raise Http404


def check_not_own_company(user, company_id: int) -> None:
    """A moderator who is also a member of a company does not moderate it (nor its listings)."""
    membership = user.membership_or_none
    if membership is not None and membership.company_id == company_id:
        raise PermissionDenied(_("Vous ne pouvez pas modérer votre propre entreprise."))


def territory_object_or_404(queryset, moderator: Moderator, pk, field: str = "departement"):
    """One object of the moderator's territory; 404 when it is absent or outside."""
    try:
        return scope_to_territory(queryset, moderator, field).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def check_departement_param(moderator: Moderator, departement: str | None) -> list[str] | None:
    """The départements a statistics or list request covers; None means "all of France".

    A département outside the territory is 404, as if it had no data to show.
    """
    if departement:
        check_covers(moderator, departement)
        return [departement]
    if moderator.is_national:
        return None
    return list(moderator.departements)


def moderator_can_read_conversation(user, conversation) -> bool:
    """A moderator may read a conversation only when one of its messages was reported (report
    open or resolved) and that report lies in their territory. The messaging app calls this, then
    `bourse.moderation.services.conversation_read_record` to put the read in the audit log."""
    moderator = moderator_for(user)
    if moderator is None or conversation is None:
        return False
    message_ids = Message.objects.filter(conversation=conversation).values("pk")
    reports = Report.objects.filter(
        target_type=Report.TargetType.MESSAGE, target_id__in=message_ids
    )
    return scope_to_territory(reports, moderator).exists()


def check_can_decide(moderator: Moderator, report: Report, decision: str) -> None:
    """A decision that acts on a company (warn it, suspend it) needs that company in the
    moderator's territory, wherever the report was filed. Answered as a refusal of the decision
    (400 on `decision`), since the moderator may pick another one."""
    if decision not in (Report.Decision.WARNED, Report.Decision.COMPANY_SUSPENDED):
        return
    company = report_target_company(report)
    if company is not None and not moderator.covers(company.departement):
        raise ServiceError(_("Cette entreprise n'est pas dans votre territoire."), field="decision")


def crisis_of_territory_or_404(moderator: Moderator, pk) -> Crisis:
    """A crisis touching the moderator's territory (any for a national one); 404 otherwise."""
    crisis = Crisis.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if crisis is None or not (
        moderator.is_national or set(crisis.departements) & set(moderator.departements)
    ):
        raise Http404
    return crisis


def check_can_close_crisis(moderator: Moderator, crisis) -> None:
    """Closing ends the crisis everywhere it applies: the moderator must cover all of its
    départements (a crisis shared with another territory is closed by a national moderator)."""
    if not moderator.is_national and not set(crisis.departements) <= set(moderator.departements):
        raise PermissionDenied(
            _("Cette crise couvre aussi d'autres territoires : un modérateur national la clôture.")
        )
