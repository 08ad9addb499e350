"""Writes on who acts for a company: memberships (roles, leaving) and invitations."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bourse.core import realtime
from bourse.core.errors import ServiceError
from bourse.core.outbox import send_email

from .. import signals
from ..models import Company, Invitation, Membership, User


def _admins_left_after_removal(membership: Membership) -> int:
    return (
        Membership.objects.filter(company_id=membership.company_id, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a member (by an admin) or leave (by the member). The last admin cannot go while
    other members remain; the last member can, and the company then leaves the exchange."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    # Lock the company's admin rows so two admins cannot remove each other at once.
    list(
        Membership.objects.select_for_update()
        .filter(company_id=membership.company_id, role=Membership.Role.ADMIN)
        .values_list("pk", flat=True)
    )
    others = Membership.objects.filter(company_id=membership.company_id).exclude(pk=membership.pk)
    if membership.is_admin and _admins_left_after_removal(membership) == 0 and others.exists():
        raise ServiceError(
            {
                "non_field_errors": [
                    _(
                        "L'entreprise doit garder au moins un administrateur : nommez-en un "
                        "autre avant."
                    )
                ]
            },
            code="last_admin",
        )
    membership.delete()
    _leave_exchange_if_nobody_left(membership.company_id)
    # Their sockets heard the company's conversations: closed once this commits.
    realtime.close_user_sockets_on_commit(membership.user_id)


def _leave_exchange_if_nobody_left(company_id: int) -> bool:
    """When a company has no member any more it leaves the exchange: status `left`, its open
    invitations revoked, and `company_left` sent so its listings are withdrawn. The row stays
    (the moderation log and partners' conversations point at it). Runs in the caller's
    transaction, after the membership row is gone; True when the company left."""
    company = Company.objects.select_for_update().get(pk=company_id)
    if Membership.objects.filter(company_id=company_id).exists():
        return False
    now = timezone.now()
    company.status = Company.Status.LEFT
    company.status_reason = _("Le dernier membre de l'entreprise a quitté la bourse.")
    company.status_changed_at = now
    company.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    Invitation.objects.open().filter(company_id=company_id).update(revoked_at=now)
    signals.company_left.send(sender=Company, company_id=company_id)
    return True


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, by: User) -> Membership:
    """Make a member admin, or an admin a plain member (never the last admin)."""
    if role not in Membership.Role.values:
        raise ServiceError({"role": [_("Rôle inconnu.")]})
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role == membership.role:
        return membership
    if membership.is_admin and _admins_left_after_removal(membership) == 0:
        raise ServiceError(
            {"role": [_("L'entreprise doit garder au moins un administrateur.")]},
            code="last_admin",
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("accounts:invitation", args=[invitation.token])


def _send_invitation_email(invitation: Invitation) -> None:
    """The invitation e-mail, stored in the inviting transaction (bourse.core.outbox) and
    rendered when sent (templates/accounts/email/invitation_*.txt)."""
    company = invitation.company
    send_email(
        key=f"accounts.invitation:{invitation.pk}",
        to=invitation.email,
        template="accounts/email/invitation",
        context={
            "company": company.name,
            "inviter_name": (
                invitation.invited_by.display_name if invitation.invited_by else company.name
            ),
            "url": invitation_url(invitation),
            "email": invitation.email,
        },
    )


@transaction.atomic
def invitation_create(*, company: Company, by: User, email: str) -> Invitation:
    """Invite a colleague by e-mail; the e-mail with the link leaves after commit."""
    email = email.strip().lower()
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        raise ServiceError(
            {"email": [_("Cette personne est déjà membre de l'entreprise.")]},
            code="already_member",
        )
    if Invitation.objects.open().filter(company=company, email__iexact=email).exists():
        raise ServiceError(
            {"email": [_("Une invitation est déjà en attente pour cette adresse.")]},
            code="already_invited",
        )
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(company=company, email=email, invited_by=by)
    except IntegrityError as exc:
        raise ServiceError(
            {"email": [_("Une invitation est déjà en attente pour cette adresse.")]},
            code="already_invited",
        ) from exc
    _send_invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_open:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def user_verified_emails(user: User) -> set[str]:
    return {
        e.lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """The invitee joins the company as a member."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ServiceError(
            {"non_field_errors": [_("Cette invitation n'est plus valable.")]}, code="closed"
        )
    if invitation.email.lower() not in user_verified_emails(user):
        raise ServiceError(
            {
                "non_field_errors": [
                    _(
                        "Cette invitation est adressée à %(email)s : connectez-vous avec cette "
                        "adresse (vérifiée) pour l'accepter."
                    )
                    % {"email": invitation.email}
                ]
            },
            code="wrong_email",
        )
    if Membership.objects.filter(user=user).exists():
        raise ServiceError(
            {
                "non_field_errors": [
                    _(
                        "Vous êtes déjà membre d'une entreprise : quittez-la avant d'en rejoindre "
                        "une autre."
                    )
                ]
            },
            code="already_member",
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, company=invitation.company, role=Membership.Role.MEMBER
            )
    except IntegrityError as exc:
        raise ServiceError(
            {"non_field_errors": [_("Vous êtes déjà membre d'une entreprise.")]},
            code="already_member",
        ) from exc
    invitation.mark_accepted()
    return membership
