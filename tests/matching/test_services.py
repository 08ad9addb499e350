"""Publishing a listing records strong matches once, announces them to both companies (in the
app and by e-mail), alerts saved searches; dismissals stick; the digest is sent once."""

import io
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from bourse.listings.models import Listing
from bourse.listings.signals import listing_published
from bourse.matching import queries, services
from bourse.matching.models import Dismissal, Match, SavedSearch, SavedSearchHit
from bourse.notifications.models import Notification
from tests import factories


@pytest.fixture
def members(company, other_company):
    """Two members in the need's company, one in the offer's."""
    return (
        factories.MembershipFactory(company=company).user,
        factories.MembershipFactory(company=company, role="member").user,
        factories.MembershipFactory(company=other_company).user,
    )


def publish(listing, django_capture_on_commit_callbacks):
    """What bourse.listings does when it publishes (the signal, then the commit that runs the
    deferred rematch)."""
    with django_capture_on_commit_callbacks(execute=True):
        listing_published.send(sender=Listing, listing_id=listing.pk)


def match_notifications(company):
    return Notification.objects.filter(company=company, kind="match")


def test_strong_match_is_recorded_once_and_announced_to_both_companies(
    need, offer, members, django_capture_on_commit_callbacks
):
    [scored] = queries.score_top(offer)
    assert scored.score >= services.notify_threshold()

    publish(offer, django_capture_on_commit_callbacks)

    match = Match.objects.get()
    assert (match.listing_a_id, match.listing_b_id) == tuple(sorted((need.pk, offer.pk)))
    assert match.notified_at is not None
    assert set(match.reasons) >= {"category", "distance", "availability", "quantity", "text"}
    need_note = match_notifications(need.company).get()
    offer_note = match_notifications(offer.company).get()
    assert need_note.url == f"/annonces/{offer.pk}/"
    assert offer_note.url == f"/annonces/{need.pk}/"
    assert offer.title in need_note.body and need.title in offer_note.body


def test_rematching_twice_or_from_the_other_side_announces_nothing_new(
    need, offer, members, django_capture_on_commit_callbacks
):
    publish(offer, django_capture_on_commit_callbacks)
    publish(offer, django_capture_on_commit_callbacks)
    publish(need, django_capture_on_commit_callbacks)
    assert Match.objects.count() == 1
    assert match_notifications(need.company).count() == 1
    assert match_notifications(offer.company).count() == 1
    assert len(mail.outbox) == 3


def test_one_email_per_member_names_the_listing_and_links_to_it(
    need, offer, members, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://bourse.example.fr"
    publish(offer, django_capture_on_commit_callbacks)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == sorted(u.email for u in members)
    for user in members[:2]:  # the need's company hears of the offer
        body = by_recipient[user.email].body
        assert offer.title in body
        assert f"https://bourse.example.fr/annonces/{offer.pk}/" in body
        assert need.title in by_recipient[user.email].subject
    body = by_recipient[members[2].email].body
    assert need.title in body and f"https://bourse.example.fr/annonces/{need.pk}/" in body


def test_weak_match_is_not_announced(
    need, offer, members, settings, django_capture_on_commit_callbacks
):
    settings.MATCH_NOTIFY_THRESHOLD = 0.99
    publish(offer, django_capture_on_commit_callbacks)
    assert Match.objects.count() == 0
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_listing_not_live_is_not_matched(need, offer, members, django_capture_on_commit_callbacks):
    Listing.objects.filter(pk=offer.pk).update(status="pending")
    publish(offer, django_capture_on_commit_callbacks)
    assert Match.objects.count() == 0


def test_match_dismissed_by_either_company_is_not_announced(
    need, offer, members, django_capture_on_commit_callbacks
):
    services.suggestion_dismiss(company=need.company, listing=offer, by=members[0])
    publish(offer, django_capture_on_commit_callbacks)  # seen from the offer's side
    publish(need, django_capture_on_commit_callbacks)  # seen from the need's side
    assert Match.objects.count() == 0
    assert Notification.objects.count() == 0


def test_dismissal_stays_and_is_idempotent(need, offer, members):
    assert [s.listing_id for s in queries.score_top(need)] == [offer.pk]
    services.suggestion_dismiss(company=need.company, listing=offer, by=members[0])
    services.suggestion_dismiss(company=need.company, listing=offer, by=members[1])
    assert Dismissal.objects.count() == 1
    assert queries.score_top(need) == []
    # The offer's company still sees the need.
    assert [s.listing_id for s in queries.score_top(offer)] == [need.pk]
    services.suggestion_restore(company=need.company, listing=offer)
    assert [s.listing_id for s in queries.score_top(need)] == [offer.pk]


# --- Saved searches ---------------------------------------------------------------------------
@pytest.fixture
def saved_search(company, family, members):
    return services.saved_search_create(
        company=company,
        by=members[0],
        name="Entrepôts autour de Lyon",
        q="entrepôts quai",
        kind="offer",
        category=family[0],
        postal_code="69002",
        latitude=45.76,
        longitude=4.83,
        radius_km=100,
    )


def test_new_listing_fitting_a_saved_search_alerts_once(
    saved_search, offer, django_capture_on_commit_callbacks
):
    publish(offer, django_capture_on_commit_callbacks)
    publish(offer, django_capture_on_commit_callbacks)
    hit = SavedSearchHit.objects.get()
    assert (hit.saved_search, hit.listing) == (saved_search, offer)
    note = Notification.objects.get(kind="saved_search")
    assert note.company == saved_search.company
    assert note.url == f"/annonces/{offer.pk}/"


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "need"},
        {"q": "chambre froide"},
        {"radius_km": 20},
        {"category": "other"},
    ],
)
def test_listing_outside_a_saved_search_does_not_alert(
    saved_search, offer, change, django_capture_on_commit_callbacks
):
    if change.get("category") == "other":
        change = {"category": factories.CategoryFactory()}
    services.saved_search_update(saved_search=saved_search, **change)
    publish(offer, django_capture_on_commit_callbacks)
    assert SavedSearchHit.objects.count() == 0


def test_own_listing_does_not_alert_own_saved_search(saved_search, family, company):
    own = factories.ListingFactory(
        company=company, kind="offer", category=family[1], title="entrepôt quai"
    )
    assert services.saved_search_hits_record(listing=own) == []


def test_digest_emails_each_member_the_hits_once(
    saved_search, offer, members, django_capture_on_commit_callbacks
):
    publish(offer, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_saved_search_digest", stdout=io.StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in members[:2])
    assert offer.title in mail.outbox[0].body
    assert f"/annonces/{offer.pk}/" in mail.outbox[0].body
    assert saved_search.name in mail.outbox[0].body
    saved_search.refresh_from_db()
    assert saved_search.last_alerted_at is not None

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.saved_search_digest_send() == 0
    assert mail.outbox == []


def test_saved_search_rejects_a_radius_out_of_range(company, members):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.saved_search_create(company=company, by=members[0], name="x", radius_km=5000)
    assert "radius_km" in error.value.message_dict
    assert SavedSearch.objects.count() == 0


# --- Concurrency ------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_rematch_of_both_listings_announces_the_pair_once(
    family, company, other_company
):
    need = factories.ListingFactory(company=company, kind="need", category=family[1], radius_km=80)
    offer = factories.ListingFactory(
        company=other_company, kind="offer", category=family[1], radius_km=80
    )
    barrier = threading.Barrier(4)
    errors = []

    def run(listing_id):
        try:
            barrier.wait()
            services.rematch_listing(listing_id=listing_id, email=False)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(pk,)) for pk in (need.pk, offer.pk) * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Match.objects.count() == 1
    assert Notification.objects.filter(kind="match", company=company).count() == 1
    assert Notification.objects.filter(kind="match", company=other_company).count() == 1


def test_at_most_the_limit_of_new_matches_is_announced_per_publication(
    need, family, settings, django_capture_on_commit_callbacks
):
    settings.MATCH_NOTIFY_LIMIT = 2
    offers = [
        factories.ListingFactory(
            kind="offer",
            category=family[1],
            postal_code=code,
            title="Entrepôt pour palettes",
            description="Surface avec quai de chargement.",
        )
        for code in ("69002", "69003", "69100", "69500")
    ]
    best = [s.listing_id for s in queries.score_top(need)][:2]
    assert set(best) <= {o.pk for o in offers}
    publish(need, django_capture_on_commit_callbacks)
    assert sorted(Match.objects.values_list("listing_b_id", flat=True)) == sorted(best)
    assert match_notifications(need.company).count() == 2


def test_match_is_pushed_to_both_companies_sockets(
    need, offer, members, django_capture_on_commit_callbacks
):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from bourse.core.realtime import company_group

    layer = get_channel_layer()

    async def listen_and_publish():
        from asgiref.sync import sync_to_async

        channels = {}
        for company in (need.company, offer.company):
            channels[company.pk] = await layer.new_channel()
            await layer.group_add(company_group(company.pk), channels[company.pk])
        await sync_to_async(publish)(offer, django_capture_on_commit_callbacks)
        received = {}
        for company_id, channel in channels.items():
            received[company_id] = await layer.receive(channel)
            await layer.group_discard(company_group(company_id), channel)
        return received

    received = async_to_sync(listen_and_publish)()
    need_event = received[need.company.pk]["event"]
    offer_event = received[offer.company.pk]["event"]
    assert need_event["type"] == "notification" and need_event["kind"] == "match"
    assert need_event["data"]["matched_listing"] == offer.pk
    assert offer_event["data"]["matched_listing"] == need.pk


def test_two_saved_searches_of_a_company_fitting_one_listing_make_one_notification(
    saved_search, offer, members, django_capture_on_commit_callbacks
):
    services.saved_search_create(
        company=saved_search.company, by=members[0], name="Quais", q="quai", kind="offer"
    )
    publish(offer, django_capture_on_commit_callbacks)
    assert SavedSearchHit.objects.count() == 2
    note = Notification.objects.get(kind="saved_search")
    assert "Entrepôts autour de Lyon" in note.title and "Quais" in note.title


def test_digest_task_sends_the_same_digest(
    saved_search, offer, members, django_capture_on_commit_callbacks
):
    from bourse.matching.tasks import send_saved_search_digest

    publish(offer, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = send_saved_search_digest.enqueue()
    assert result.return_value == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in members[:2])
