"""Who may act for which company. `check_*` raise; the services that follow assume it is allowed."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Company, Membership, Moderator


def membership_of(user) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return user.membership_or_none


def moderator_for(user) -> Moderator | None:
    """The user's moderator role (territory), or None."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.moderator
    except Moderator.DoesNotExist:
        return None


def check_verified_member(user) -> Membership:
    """The caller's membership, when their company is verified (needed to publish, contact...)."""
    membership = membership_of(user)
    if membership is None or membership.company.status != Company.Status.VERIFIED:
        raise PermissionDenied(_("Votre entreprise doit être vérifiée pour cette action."))
    return membership


def is_member(user, company: Company) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.company_id == company.pk


def check_member(user, company: Company) -> Membership:
    membership = membership_of(user)
    if membership is None or membership.company_id != company.pk:
        raise PermissionDenied
    return membership


def check_company_admin(user, company: Company) -> Membership:
    membership = check_member(user, company)
    if not membership.is_admin:
        raise PermissionDenied(_("Seul un administrateur de l'entreprise peut faire cela."))
    return membership


def check_can_view_company(user, company: Company) -> None:
    """A non-verified company is visible only to its members and to moderators (else 404)."""
    if company.status == Company.Status.VERIFIED:
        return
    if is_member(user, company) or is_moderator_for(user, company):
        return
    raise Http404


def is_moderator_for(user, company: Company) -> bool:
    moderator = moderator_for(user)
    return moderator is not None and moderator.covers(company.departement)


def can_see_contact_details(user, company: Company) -> bool:
    """Phone, website and address: for the company's own members, for members of a verified
    company (the exchange's trusted circle) and for moderators of its territory. Members' names
    and e-mails are narrower: see `can_see_members`."""
    membership = membership_of(user)
    if membership is not None and (
        membership.company_id == company.pk or membership.company.status == Company.Status.VERIFIED
    ):
        return True
    return is_moderator_for(user, company)


def can_see_members(user, company: Company) -> bool:
    """The member list (names and e-mails): the company's own members and the moderators of its
    territory, on every page and endpoint that shows it."""
    return is_member(user, company) or is_moderator_for(user, company)


def check_can_see_members(user, company: Company) -> None:
    """The member list of a company the caller may view: members and moderators."""
    check_can_view_company(user, company)
    if not can_see_members(user, company):
        raise PermissionDenied


def check_can_remove_member(user, membership: Membership) -> None:
    """An admin removes anyone of their company; a member may leave (remove themselves)."""
    if user.is_authenticated and membership.user_id == user.pk:
        return
    check_company_admin(user, membership.company)
