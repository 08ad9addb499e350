"""Moderation writes. Every moderator action is recorded here, in the caller's transaction.

Company transitions (the only ones a moderator can make):

    pending   --verify-->    verified
    rejected  --verify-->    verified    (after a re-check: the company fixed what was wrong)
    pending   --reject-->    rejected    (reason required)
    verified  --suspend-->   suspended   (reason required)
    suspended --reinstate--> verified

Anything else is refused with a ServiceError naming the current status. The company hears of
each change in the app and by e-mail (after commit).

One module for every moderator's write (moderators, companies, listings, reports, reads of a
reported conversation), a little over 500 lines: they share the audit and notification steps,
and a moderator's decision on a report calls the others (hide, suspend) in its transaction.
"""

import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Company, Moderator, User
from bourse.core import realtime
from bourse.core.errors import ServiceError
from bourse.geo import data as geo
from bourse.listings import services as listing_services
from bourse.listings.models import Listing
from bourse.notifications.models import Notification
from bourse.notifications.services import notify
from bourse.notifications.texts import text
from messaging.models import Message

from .models import AuditLogEntry, Report
from .queries import report_target_company

# --- Moderators ------------------------------------------------------------------------------


def normalize_departements(codes: list[str]) -> list[str]:
    """Known département codes, deduplicated and sorted; ServiceError naming unknown ones."""
    known = geo.departements()
    cleaned, unknown = [], []
    for raw in codes:
        code = raw.strip().upper()
        if not code:
            continue
        if code.isdigit() and len(code) == 1:
            code = f"0{code}"
        (cleaned if code in known else unknown).append(code)
    if unknown:
        raise ServiceError(
            {
                "departements": [
                    _("Département inconnu : %(codes)s.") % {"codes": ", ".join(unknown)}
                ]
            }
        )
    return sorted(set(cleaned))


@dataclass(frozen=True)
class ModeratorCreated:
    moderator: Moderator
    user_created: bool
    password: str | None  # the generated password, only when the user was created without one


@transaction.atomic
def moderator_create(
    *,
    email: str,
    departements: list[str],
    national: bool,
    password: str | None = None,
) -> Moderator:
    """Create or promote a moderator (idempotent: an existing moderator gets the new territory)."""
    return moderator_create_or_update(
        email=email, departements=departements, national=national, password=password
    ).moderator


@transaction.atomic
def moderator_create_or_update(
    *,
    email: str,
    departements: list[str],
    national: bool,
    password: str | None = None,
) -> ModeratorCreated:
    """moderator_create, also telling whether the user was created and with which password."""
    codes = [] if national else normalize_departements(departements)
    if not national and not codes:
        raise ServiceError(
            {"departements": [_("Indiquez au moins un département, ou « national ».")]}
        )
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    generated = None
    created = user is None
    if created:
        if not password:
            generated = password = secrets.token_urlsafe(12)
        user = User.objects.create_user(email=email, password=password)
        # The command is run by an administrator, who vouches for the address.
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    moderator, _created = Moderator.objects.update_or_create(
        user=user, defaults={"is_national": national, "departements": codes}
    )
    return ModeratorCreated(moderator=moderator, user_created=created, password=generated)


# --- Companies -------------------------------------------------------------------------------


def _company_url() -> str:
    try:
        return reverse("accounts:company")
    except NoReverseMatch:
        return ""


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError({"reason": [_("Un motif est obligatoire.")]})
    return reason


_C = Company.Status
# The moderator's moves on a company, name → (from which statuses, to which): the services check
# it, the pages and the API offer what it allows (company_actions).
COMPANY_TRANSITIONS = {
    "verify": ((_C.PENDING, _C.REJECTED), _C.VERIFIED),
    "reject": ((_C.PENDING,), _C.REJECTED),
    "suspend": ((_C.VERIFIED,), _C.SUSPENDED),
    "reinstate": ((_C.SUSPENDED,), _C.VERIFIED),
}


def company_actions(company: Company) -> list[str]:
    """The moves a moderator may make on the company now."""
    return [
        name for name, (sources, _to) in COMPANY_TRANSITIONS.items() if company.status in sources
    ]


def _transition_company(
    *,
    company: Company,
    by: User,
    move: str,
    action: str,
    reason: str,
    title: dict,
    body: dict,
) -> Company:
    allowed_from, to = COMPANY_TRANSITIONS[move]
    locked = Company.objects.select_for_update().get(pk=company.pk)
    if locked.status not in allowed_from:
        raise ServiceError(
            _("Action impossible : l'entreprise est « %(status)s » (il faut : %(allowed)s).")
            % {
                "status": locked.get_status_display(),
                "allowed": ", ".join(str(Company.Status(s).label) for s in allowed_from),
            },
            code="invalid_transition",
        )
    previous = locked.status
    locked.status = to
    locked.status_reason = reason
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    AuditLogEntry.objects.record(
        actor=by,
        action=action,
        target_type="company",
        target_id=locked.pk,
        departement=locked.departement,
        reason=reason,
        data={"from": previous, "to": to},
    )
    notify(
        company=locked,
        kind=Notification.Kind.COMPANY_STATUS,
        title=title,
        body=body,
        url=_company_url(),
        data={"company": locked.pk, "status": to, "reason": reason},
        email=True,
    )
    # The caller's instance reflects the change too.
    company.status = locked.status
    company.status_reason = locked.status_reason
    company.status_changed_at = locked.status_changed_at
    return locked


@transaction.atomic
def company_verify(*, company: Company, by: User) -> Company:
    return _transition_company(
        company=company,
        by=by,
        move="verify",
        action=AuditLogEntry.Action.COMPANY_VERIFY,
        reason="",
        title=text(gettext_noop("Votre entreprise est vérifiée")),
        body=text(
            gettext_noop(
                "%(name)s a été vérifiée par un conseiller CCI. Vous pouvez maintenant publier "
                "des annonces et contacter les autres entreprises."
            ),
            name=company.name,
        ),
    )


@transaction.atomic
def company_reject(*, company: Company, by: User, reason: str) -> Company:
    reason = _require_reason(reason)
    return _transition_company(
        company=company,
        by=by,
        move="reject",
        action=AuditLogEntry.Action.COMPANY_REJECT,
        reason=reason,
        title=text(gettext_noop("Votre entreprise n'a pas été validée")),
        body=text(
            gettext_noop("La déclaration de %(name)s a été refusée. Motif : %(reason)s"),
            name=company.name,
            reason=reason,
        ),
    )


@transaction.atomic
def company_suspend(*, company: Company, by: User, reason: str) -> Company:
    """Suspend a verified company: its listings leave the exchange (published() excludes them)
    and its members can no longer send messages (the messaging app checks the status)."""
    reason = _require_reason(reason)
    suspended = _transition_company(
        company=company,
        by=by,
        move="suspend",
        action=AuditLogEntry.Action.COMPANY_SUSPEND,
        reason=reason,
        title=text(gettext_noop("Votre entreprise est suspendue")),
        body=text(
            gettext_noop(
                "%(name)s est suspendue : ses annonces ne sont plus visibles et elle ne peut "
                "plus envoyer de messages. Motif : %(reason)s"
            ),
            name=company.name,
            reason=reason,
        ),
    )
    # Its members' sockets close once this commits (after hearing why); those they open again
    # cannot send.
    realtime.close_company_sockets_on_commit(company.pk)
    return suspended


@transaction.atomic
def company_reinstate(*, company: Company, by: User) -> Company:
    return _transition_company(
        company=company,
        by=by,
        move="reinstate",
        action=AuditLogEntry.Action.COMPANY_REINSTATE,
        reason="",
        title=text(gettext_noop("Votre entreprise est rétablie")),
        body=text(
            gettext_noop(
                "La suspension de %(name)s est levée : ses annonces publiées sont de nouveau "
                "visibles."
            ),
            name=company.name,
        ),
    )


# --- Listings --------------------------------------------------------------------------------
# The moves are the listing's (Listing.TRANSITIONS); here they are made by a moderator, logged
# in the same transaction and told to the company after commit.


def _locked_listing(listing: Listing) -> Listing:
    return Listing.objects.select_for_update().select_related("company").get(pk=listing.pk)


def _listing_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Indiquez un motif."), field="reason")
    return reason


def _record_listing(listing: Listing, *, by: User, action: str, reason: str = "") -> None:
    AuditLogEntry.objects.record(
        actor=by,
        action=action,
        target_type="listing",
        target_id=listing.pk,
        departement=listing.departement,
        reason=reason,
    )


@transaction.atomic
def listing_approve(*, listing: Listing, by: User) -> Listing:
    """pending → published for LISTING_LIFETIME_DAYS days; matching runs after commit."""
    listing = _locked_listing(listing)
    listing.approve()
    listing_services.announce_published(listing)
    _record_listing(listing, by=by, action=AuditLogEntry.Action.LISTING_APPROVE)
    listing_services.notify_status(listing)
    return listing


def _set_aside(*, listing: Listing, by: User, reason: str, move: str, action: str) -> Listing:
    """reject or hide: the listing leaves (or never reaches) the exchange, with a reason the
    company sees; it may fix the listing and submit it again."""
    reason = _listing_reason(reason)
    listing = _locked_listing(listing)
    listing.set_aside(move, reason=reason)
    _record_listing(listing, by=by, action=action, reason=reason)
    listing_services.notify_status(listing, reason=reason)
    return listing


@transaction.atomic
def listing_reject(*, listing: Listing, by: User, reason: str) -> Listing:
    """pending → rejected."""
    return _set_aside(
        listing=listing,
        by=by,
        reason=reason,
        move="reject",
        action=AuditLogEntry.Action.LISTING_REJECT,
    )


@transaction.atomic
def listing_hide(*, listing: Listing, by: User, reason: str) -> Listing:
    """published → hidden."""
    return _set_aside(
        listing=listing, by=by, reason=reason, move="hide", action=AuditLogEntry.Action.LISTING_HIDE
    )


# --- Reports ---------------------------------------------------------------------------------


def conversation_company_ids(conversation) -> set[int]:
    """The two companies of a conversation: the listing's owner and the one that wrote to it."""
    return {conversation.owner_company_id, conversation.other_company_id}


@dataclass(frozen=True)
class ReportTarget:
    obj: object
    departement: str
    company: Company | None  # the company the report is about, when there is one


def report_target(*, target_type: str, target_id, reporter_company: Company) -> ReportTarget:
    """The reported object as the reporter can see it: ServiceError when unknown or unseen."""
    unknown = ServiceError(
        {
            "target_id": [
                _("Objet introuvable : il a peut-être été retiré, ou il ne vous est pas visible.")
            ]
        }
    )
    try:
        target_id = int(target_id)
    except (TypeError, ValueError):
        raise unknown from None
    if target_type == Report.TargetType.LISTING:
        listing = Listing.objects.published().select_related("company").filter(pk=target_id).first()
        if listing is None:
            raise unknown
        if listing.company_id == reporter_company.pk:
            raise ServiceError(
                {"target_id": [_("Vous ne pouvez pas signaler votre propre annonce.")]}
            )
        return ReportTarget(listing, listing.departement, listing.company)
    if target_type == Report.TargetType.COMPANY:
        company = Company.objects.verified().filter(pk=target_id).first()
        if company is None:
            raise unknown
        if company.pk == reporter_company.pk:
            raise ServiceError(
                {"target_id": [_("Vous ne pouvez pas signaler votre propre entreprise.")]}
            )
        return ReportTarget(company, company.departement, company)
    if target_type == Report.TargetType.MESSAGE:
        message = (
            Message.objects.select_related("conversation__listing").filter(pk=target_id).first()
        )
        if message is None:
            raise unknown
        conversation = message.conversation
        if reporter_company.pk not in conversation_company_ids(conversation):
            raise unknown
        author_company_id = message.company_id
        if author_company_id == reporter_company.pk:
            raise ServiceError(
                {"target_id": [_("Vous ne pouvez pas signaler un message de votre entreprise.")]}
            )
        author = Company.objects.filter(pk=author_company_id).first()
        return ReportTarget(message, conversation.listing.departement, author)
    if target_type == Report.TargetType.USER:
        return _user_target(target_id, reporter_company, unknown)
    raise ServiceError({"target_type": [_("Type d'objet inconnu.")]})


def _user_target(user_id: int, reporter_company: Company, unknown: ServiceError) -> ReportTarget:
    """A person the reporter has seen: a member of another company who wrote in one of the
    reporter's company's conversations (member lists are shown to colleagues and moderators
    only). The report goes to the territory of the person's company."""
    person = User.objects.select_related("membership__company").filter(pk=user_id).first()
    membership = person.membership_or_none if person is not None else None
    if membership is None:
        raise unknown
    if membership.company_id == reporter_company.pk:
        raise ServiceError(
            {"target_id": [_("Vous ne pouvez pas signaler un membre de votre entreprise.")]}
        )
    seen = Message.objects.filter(sender=person).filter(
        Q(conversation__owner_company=reporter_company)
        | Q(conversation__other_company=reporter_company)
    )
    if not seen.exists():
        raise unknown
    return ReportTarget(person, membership.company.departement, membership.company)


@transaction.atomic
def report_create(
    *, reporter: User, reporter_company: Company, target_type: str, target_id: int, reason: str
) -> Report:
    """Record a report; its département is the target's, so the right moderators see it."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError({"reason": [_("Expliquez ce qui ne va pas.")]})
    target = report_target(
        target_type=target_type, target_id=target_id, reporter_company=reporter_company
    )
    return Report.objects.create(
        reporter=reporter,
        reporter_company=reporter_company,
        target_type=target_type,
        target_id=target.obj.pk,
        departement=target.departement,
        reason=reason,
    )


@transaction.atomic
def report_resolve(*, report: Report, by: User, decision: str, note: str = "") -> Report:
    """Close a report with a decision, and carry the decision out (hide, suspend, warn).
    The caller checked that the moderator may take it (permissions.check_can_decide)."""
    note = (note or "").strip()
    if decision not in Report.Decision.values:
        raise ServiceError(
            {
                "decision": [
                    _("Décision inconnue ; valeurs possibles : %(values)s.")
                    % {"values": ", ".join(Report.Decision.values)}
                ]
            }
        )
    if decision in Report.DECISIONS_NEEDING_NOTE and not note:
        raise ServiceError(
            {"note": [_("Une note est obligatoire : elle sert de motif à l'entreprise.")]}
        )
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.status != Report.Status.OPEN:
        raise ServiceError(_("Ce signalement est déjà traité."), code="invalid_transition")

    if decision == Report.Decision.LISTING_HIDDEN:
        if locked.target_type != Report.TargetType.LISTING:
            raise ServiceError(
                {"decision": [_("Seul le signalement d'une annonce peut la masquer.")]}
            )
        listing = Listing.objects.filter(pk=locked.target_id).first()
        if listing is None:
            raise ServiceError({"decision": [_("L'annonce n'existe plus.")]})
        listing_hide(listing=listing, by=by, reason=note)
    elif decision in (Report.Decision.COMPANY_SUSPENDED, Report.Decision.WARNED):
        company = report_target_company(locked)
        if company is None:
            raise ServiceError({"decision": [_("Aucune entreprise n'est concernée.")]})
        if decision == Report.Decision.COMPANY_SUSPENDED:
            company_suspend(company=company, by=by, reason=note)
        else:
            notify(
                company=company,
                kind=Notification.Kind.COMPANY_STATUS,
                title=text(gettext_noop("Avertissement de la modération")),
                body=text(
                    gettext_noop(
                        "Suite à un signalement, un conseiller CCI vous adresse ce message : "
                        "%(note)s"
                    ),
                    note=note,
                ),
                url=_company_url(),
                data={"company": company.pk, "status": company.status, "warning": note},
                email=True,
            )

    locked.status = Report.Status.RESOLVED
    locked.decision = decision
    locked.note = note
    locked.resolved_by = by
    locked.resolved_at = timezone.now()
    locked.save(update_fields=["status", "decision", "note", "resolved_by", "resolved_at"])
    AuditLogEntry.objects.record(
        actor=by,
        action=AuditLogEntry.Action.REPORT_RESOLVE,
        target_type="report",
        target_id=locked.pk,
        departement=locked.departement,
        reason=note,
        data={
            "decision": decision,
            "report_target_type": locked.target_type,
            "report_target_id": locked.target_id,
        },
    )
    return locked


# --- Reported conversations ------------------------------------------------------------------


def record_conversation_read(user: User, conversation) -> AuditLogEntry:
    """The hook messaging calls (moderation's OutsideReader, see apps.py)."""
    return conversation_read_record(by=user, conversation=conversation)


@transaction.atomic
def conversation_read_record(*, by: User, conversation) -> AuditLogEntry:
    """Record that a moderator opened a reported conversation (call after
    permissions.moderator_can_read_conversation said yes)."""
    return AuditLogEntry.objects.record(
        actor=by,
        action=AuditLogEntry.Action.CONVERSATION_READ,
        target_type="conversation",
        target_id=conversation.pk,
        departement=conversation.listing.departement,
    )
