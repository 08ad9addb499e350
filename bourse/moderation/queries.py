"""Reads for moderators that combine several models: the activity figures of a territory.

`departements=None` means the whole country (national moderators); otherwise a list of codes.
`since` (a date) keeps objects created on or after that day (listings fulfilled on or after it
for `fulfilled`).
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User
from bourse.listings.models import Crisis, Kind, Listing
from bourse.matching.models import Dismissal, SuggestionContact
from messaging.models import Conversation, DealFollowUp, Message

from .models import Report


def _since_datetime(since: date | None) -> datetime | None:
    if since is None:
        return None
    return timezone.make_aware(datetime.combine(since, time.min))


def _in(queryset, field: str, departements: list[str] | None):
    if departements is None:
        return queryset
    return queryset.filter(**{f"{field}__in": departements})


def _counts_by(queryset, field: str) -> dict[str, int]:
    rows = queryset.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n")
    return {key: n for key, n in rows if key is not None}


def median_duration(queryset, expression_name: str) -> timedelta | None:
    """The median of an annotated duration, computed by the database on SQLite and PostgreSQL
    alike: count the rows, then read the one or two middle values in order (no row loading)."""
    n = queryset.count()
    if n == 0:
        return None
    ordered = queryset.order_by(expression_name).values_list(expression_name, flat=True)
    middle = list(ordered[(n - 1) // 2 : n // 2 + 1])
    return sum(middle, timedelta()) / len(middle)


def median_hours_to_first_contact(listings) -> float | None:
    """Median hours between a listing's publication and the first message of its first
    conversation, over the listings that had one."""
    first_message_at = (
        Message.objects.filter(conversation__listing=OuterRef("pk"))
        .order_by("conversation__created_at", "conversation_id", "created_at", "pk")
        .values("created_at")[:1]
    )
    contacted = (
        listings.filter(published_at__isnull=False)
        .annotate(first_contact_at=Subquery(first_message_at))
        .filter(first_contact_at__isnull=False, first_contact_at__gte=F("published_at"))
        .annotate(to_first_contact=F("first_contact_at") - F("published_at"))
    )
    median = median_duration(contacted, "to_first_contact")
    if median is None:
        return None
    return round(median.total_seconds() / 3600, 2)


def territory_stats(*, departements: list[str] | None, since: date | None = None) -> dict:
    since_at = _since_datetime(since)

    companies = _in(Company.objects.all(), "departement", departements)
    listings = _in(Listing.objects.all(), "departement", departements)
    if since_at is not None:
        companies = companies.filter(created_at__gte=since_at)
        listings_created = listings.filter(created_at__gte=since_at)
        fulfilled = listings.filter(
            status=Listing.Status.FULFILLED, closed_at__gte=since_at
        ).count()
    else:
        listings_created = listings
        fulfilled = listings.filter(status=Listing.Status.FULFILLED).count()

    by_category = _counts_by(listings_created, "category__slug")

    conversation_qs = _in(Conversation.objects.all(), "listing__departement", departements)
    message_qs = _in(Message.objects.all(), "conversation__listing__departement", departements)
    if since_at is not None:
        conversation_qs = conversation_qs.filter(created_at__gte=since_at)
        message_qs = message_qs.filter(created_at__gte=since_at)
    conversations = conversation_qs.count()
    messages = message_qs.count()
    published = listings
    if since_at is not None:
        published = listings.filter(published_at__gte=since_at)
    median_hours = median_hours_to_first_contact(published)
    suggestions = suggestion_stats(departements=departements, since_at=since_at)
    needs = needs_answered(published.filter(kind=Kind.NEED, published_at__isnull=False))

    return {
        "companies": _counts_by(companies, "status"),
        "listings": _counts_by(listings_created, "status"),
        "listings_by_category": by_category,
        "conversations": conversations,
        "messages": messages,
        "fulfilled": fulfilled,
        "median_hours_to_first_contact": median_hours,
        "median_days_to_first_contact": None
        if median_hours is None
        else round(median_hours / 24, 1),
        "suggestions": suggestions,
        "weekly": weekly_series(departements=departements, since=since),
        "by_category": supply_and_demand(listings_created.exclude(status=Listing.Status.DRAFT)),
        "needs": needs,
        **follow_up_figures(departements=departements, since_at=since_at),
        "by_commune": activity_by_commune(
            listings=listings_created.exclude(status=Listing.Status.DRAFT),
            departements=departements,
            since_at=since_at,
        ),
    }


def suggestion_stats(*, departements: list[str] | None, since_at: datetime | None) -> dict:
    """What suggestions led to, for listings of the territory: how many were dismissed
    ("Masquer"), contacted ("Contacter"), and how many of those contacts became a conversation
    between that company and the suggested listing."""
    dismissed = _in(Dismissal.objects.all(), "listing__departement", departements)
    contacted = _in(SuggestionContact.objects.all(), "listing__departement", departements)
    if since_at is not None:
        dismissed = dismissed.filter(created_at__gte=since_at)
        contacted = contacted.filter(created_at__gte=since_at)
    talked = Conversation.objects.filter(
        listing_id=OuterRef("listing_id"), other_company_id=OuterRef("company_id")
    )
    return {
        "dismissed": dismissed.count(),
        "contacted": contacted.count(),
        "conversations": contacted.filter(Exists(talked)).count(),
    }


def waiting_counts(moderator) -> dict[str, int]:
    """What waits for this moderator: pending companies and listings, open reports."""
    from .permissions import scope_to_territory

    return {
        "companies": scope_to_territory(
            Company.objects.filter(status=Company.Status.PENDING), moderator
        ).count(),
        "listings": scope_to_territory(
            Listing.objects.filter(status=Listing.Status.PENDING), moderator
        ).count(),
        "reports": scope_to_territory(
            Report.objects.filter(status=Report.Status.OPEN), moderator
        ).count(),
    }


def attach_report_targets(reports) -> None:
    """Set `report.target` (the listing, company, message or person, or None when gone) on each
    report, with one query per target type."""
    reports = list(reports)
    by_type: dict[str, set[int]] = {}
    for report in reports:
        by_type.setdefault(report.target_type, set()).add(report.target_id)
    found: dict[tuple[str, int], object] = {}
    if Report.TargetType.LISTING in by_type:
        for listing in Listing.objects.select_related("company").filter(
            pk__in=by_type[Report.TargetType.LISTING]
        ):
            found[(Report.TargetType.LISTING, listing.pk)] = listing
    if Report.TargetType.COMPANY in by_type:
        for company in Company.objects.filter(pk__in=by_type[Report.TargetType.COMPANY]):
            found[(Report.TargetType.COMPANY, company.pk)] = company
    if Report.TargetType.MESSAGE in by_type:
        for message in Message.objects.select_related("company", "conversation__listing").filter(
            pk__in=by_type[Report.TargetType.MESSAGE]
        ):
            found[(Report.TargetType.MESSAGE, message.pk)] = message
    if Report.TargetType.USER in by_type:
        for person in User.objects.select_related("membership__company").filter(
            pk__in=by_type[Report.TargetType.USER]
        ):
            found[(Report.TargetType.USER, person.pk)] = person
    for report in reports:
        report.target = found.get((report.target_type, report.target_id))


def report_target_company(report: Report) -> Company | None:
    """The company a report is about (the listing's owner, the message's author...), if any."""
    try:
        if report.target_type == Report.TargetType.COMPANY:
            return Company.objects.get(pk=report.target_id)
        if report.target_type == Report.TargetType.LISTING:
            return Listing.objects.select_related("company").get(pk=report.target_id).company
        if report.target_type == Report.TargetType.MESSAGE:
            return Message.objects.select_related("company").get(pk=report.target_id).company
        if report.target_type == Report.TargetType.USER:
            person = User.objects.select_related("membership__company").get(pk=report.target_id)
            membership = person.membership_or_none
            return membership.company if membership else None
    except ObjectDoesNotExist:
        return None
    return None


def attach_log_labels(entries) -> list:
    """Names instead of e-mails and ids in the audit log: `actor_name` (the moderator's name,
    or the kept e-mail of a deleted account) and `target_label` (the company's name, the
    listing's title...), with one query per kind of target."""
    entries = list(entries)
    actors = {
        user.pk: user.display_name
        for user in User.objects.filter(pk__in={e.actor_id for e in entries if e.actor_id})
    }
    ids: dict[str, set[int]] = {}
    for entry in entries:
        ids.setdefault(entry.target_type, set()).add(entry.target_id)
    labels: dict[tuple[str, int], str] = {}
    if "company" in ids:
        for pk, name in Company.objects.filter(pk__in=ids["company"]).values_list("pk", "name"):
            labels["company", pk] = name
    if "listing" in ids:
        for pk, title in Listing.objects.filter(pk__in=ids["listing"]).values_list("pk", "title"):
            labels["listing", pk] = title
    if "crisis" in ids:
        for pk, title in Crisis.objects.filter(pk__in=ids["crisis"]).values_list("pk", "title"):
            labels["crisis", pk] = title
    if "user" in ids:
        people = User.objects.filter(pk__in=ids["user"]).select_related("membership__company")
        for person in people:
            labels["user", person.pk] = person.display_name_with_company
    kinds = {
        "crisis": _("crise"),
        "company": _("entreprise"),
        "listing": _("annonce"),
        "report": _("signalement"),
        "conversation": _("conversation"),
        "message": _("message"),
        "user": _("personne"),
    }
    for entry in entries:
        entry.actor_name = actors.get(entry.actor_id) or entry.actor_email
        kind = kinds.get(entry.target_type, entry.target_type)
        name = labels.get((entry.target_type, entry.target_id))
        entry.target_label = f"{kind} « {name} »" if name else f"{kind} n° {entry.target_id}"
    return entries


# --- Figures over time: what a CCI director shows ----------------------------------------------

WEEKS_SHOWN = 12  # without `since`, the weekly series covers the last twelve weeks


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _weeks(start: date, end: date) -> list[str]:
    monday = start - timedelta(days=start.weekday())
    weeks = []
    while monday <= end:
        weeks.append(iso_week(monday))
        monday += timedelta(days=7)
    return weeks


def _per_week(queryset, field: str, start_at: datetime) -> dict[str, int]:
    """Rows of `queryset` per ISO week of `field` (a datetime, local time), from `start_at`: the
    database counts per day, Python folds the days into weeks (same on SQLite and PostgreSQL)."""
    rows = (
        queryset.filter(**{f"{field}__gte": start_at})
        .annotate(day=TruncDate(field, tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    weeks: dict[str, int] = {}
    for day, n in rows:
        weeks[iso_week(day)] = weeks.get(iso_week(day), 0) + n
    return weeks


def weekly_series(*, departements: list[str] | None, since: date | None = None) -> list[dict]:
    """One row per ISO week from `since` (else the last WEEKS_SHOWN weeks) to this week:
    companies verified (status verified, changed that week), offers and needs published,
    conversations started, deals (deals_per_week)."""
    today = timezone.localdate()
    start = since or today - timedelta(weeks=WEEKS_SHOWN - 1)
    # Counted from `since` itself (its week's row holds only the days from then on); without
    # it, from the Monday twelve weeks ago.
    start_at = _since_datetime(since or start - timedelta(days=start.weekday()))
    listings = _in(Listing.objects.all(), "departement", departements)
    series = {
        "companies_verified": _per_week(
            _in(
                Company.objects.filter(status=Company.Status.VERIFIED), "departement", departements
            ),
            "status_changed_at",
            start_at,
        ),
        "offers": _per_week(listings.filter(kind=Kind.OFFER), "published_at", start_at),
        "needs": _per_week(listings.filter(kind=Kind.NEED), "published_at", start_at),
        "conversations": _per_week(
            _in(Conversation.objects.all(), "listing__departement", departements),
            "created_at",
            start_at,
        ),
        "deals": deals_per_week(departements=departements, start_at=start_at),
    }
    return [
        {"week": week, **{name: counts.get(week, 0) for name, counts in series.items()}}
        for week in _weeks(start, today)
    ]


# --- Deals: what the companies answered to the follow-up, and listings marked fulfilled ---------
#
# A deal is a conversation that one of its two companies said led to an exchange ("yes" to the
# follow-up e-mail, messaging/followup.py), counted once, in the week of the first "yes"; plus a
# listing its company marked fulfilled (`closed_at`) about which no conversation was reported
# "yes" (a deal made without the follow-up, or before it was asked). A "yes" that also marked
# the listing fulfilled counts once, as the conversation.


def _reported_deals(departements: list[str] | None):
    """Conversations of the territory reported "yes", with `first_yes_at`."""
    first_yes = (
        DealFollowUp.objects.filter(conversation=OuterRef("pk"), answer=DealFollowUp.Answer.YES)
        .order_by("answered_at", "pk")
        .values("answered_at")[:1]
    )
    return (
        _in(Conversation.objects.all(), "listing__departement", departements)
        .annotate(first_yes_at=Subquery(first_yes))
        .filter(first_yes_at__isnull=False)
    )


def _fulfilled_unreported(departements: list[str] | None):
    """Listings of the territory marked fulfilled with no conversation reported "yes"."""
    reported = DealFollowUp.objects.filter(
        conversation__listing=OuterRef("pk"), answer=DealFollowUp.Answer.YES
    )
    return _in(
        Listing.objects.filter(status=Listing.Status.FULFILLED), "departement", departements
    ).exclude(Exists(reported))


def deals_per_week(*, departements: list[str] | None, start_at: datetime) -> dict[str, int]:
    weeks = _per_week(_reported_deals(departements), "first_yes_at", start_at)
    for week, n in _per_week(_fulfilled_unreported(departements), "closed_at", start_at).items():
        weeks[week] = weeks.get(week, 0) + n
    return weeks


def follow_up_figures(*, departements: list[str] | None, since_at: datetime | None) -> dict:
    """Deals in the period (as in the weekly series) and the follow-up e-mails of the period's
    conversations: how many companies were asked and what they answered."""
    reported = _reported_deals(departements)
    unreported = _fulfilled_unreported(departements)
    asked = _in(DealFollowUp.objects.all(), "conversation__listing__departement", departements)
    if since_at is not None:
        reported = reported.filter(first_yes_at__gte=since_at)
        unreported = unreported.filter(closed_at__gte=since_at)
        asked = asked.filter(asked_at__gte=since_at)
    answers = _counts_by(asked, "answer")
    total = sum(answers.values())
    return {
        "deals": reported.count() + unreported.count(),
        "deals_reported": reported.count(),
        "follow_ups": {
            "asked": total,
            "yes": answers.get(DealFollowUp.Answer.YES, 0),
            "no": answers.get(DealFollowUp.Answer.NO, 0),
            "ongoing": answers.get(DealFollowUp.Answer.ONGOING, 0),
            "unanswered": answers.get("", 0),
        },
    }


def supply_and_demand(listings) -> list[dict]:
    """Offers and needs per category slug, the scarcest first (most needs per offer)."""
    rows = (
        listings.order_by()
        .values("category__slug", "kind")
        .annotate(n=Count("pk"))
        .values_list("category__slug", "kind", "n")
    )
    found: dict[str, dict] = {}
    for slug, kind, n in rows:
        entry = found.setdefault(slug, {"category": slug, "offers": 0, "needs": 0})
        entry["offers" if kind == Kind.OFFER else "needs"] += n
    return sorted(found.values(), key=lambda e: (-(e["needs"] - e["offers"]), e["category"]))


def needs_answered(published_needs) -> dict[str, int]:
    """Needs published in the period that got a conversation, and those that did not."""
    talked = Conversation.objects.filter(listing=OuterRef("pk"))
    answered = published_needs.filter(Exists(talked)).count()
    return {"answered": answered, "unanswered": published_needs.count() - answered}


def activity_by_commune(*, listings, departements, since_at, limit: int = 30) -> list[dict]:
    """Listings and conversations per commune of the listing, busiest first."""
    conversations = _in(Conversation.objects.all(), "listing__departement", departements)
    if since_at is not None:
        conversations = conversations.filter(created_at__gte=since_at)
    places: dict[tuple, dict] = {}
    for (postal_code, commune), field, queryset in (
        (("postal_code", "commune"), "listings", listings),
        (("listing__postal_code", "listing__commune"), "conversations", conversations),
    ):
        rows = queryset.order_by().values(postal_code, commune).annotate(n=Count("pk"))
        for row in rows.values_list(postal_code, commune, "n"):
            entry = places.setdefault(
                row[:2],
                {"postal_code": row[0], "commune": row[1], "listings": 0, "conversations": 0},
            )
            entry[field] += row[2]
    ordered = sorted(
        places.values(), key=lambda e: (-(e["listings"] + e["conversations"]), e["commune"])
    )
    return ordered[:limit]
