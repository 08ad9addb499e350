"""The moderators' daily summary of their queues: only for those who chose it, their
territory only, oldest first with overdue items marked, once a day, with a one-click
unsubscribe link; the choice is on the account page of moderators only."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Company, User
from bourse.listings.models import Listing
from bourse.moderation import summary
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def chooser(moderator):
    User.objects.filter(pk=moderator.pk).update(moderation_summary=True)
    return User.objects.get(pk=moderator.pk)


def age(model, obj, **delta):
    field = {"Company": "created_at", "Listing": "updated_at", "Report": "created_at"}
    model.objects.filter(pk=obj.pk).update(
        **{field[model.__name__]: timezone.now() - timedelta(**delta)}
    )


@pytest.fixture
def queues(db):
    """Waiting in Rhône/Loire: two companies (one for 30 h), a listing, a report; a company
    waiting in Paris (outside the moderator's territory)."""
    old = factories.CompanyFactory(status="pending", name="Ancienne SARL", postal_code="69003")
    new = factories.CompanyFactory(status="pending", name="Nouvelle SAS", postal_code="42000")
    factories.CompanyFactory(status="pending", name="Parisienne SA", postal_code="75002")
    Company.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=30), status_changed_at=None
    )
    Company.objects.filter(pk=new.pk).update(
        created_at=timezone.now() - timedelta(hours=2), status_changed_at=None
    )
    listing = factories.ListingFactory(status="pending", title="Palettes à donner")
    Listing.objects.filter(pk=listing.pk).update(updated_at=timezone.now() - timedelta(hours=5))
    factories.ReportFactory(reason="Annonce trompeuse")
    return old, new, listing


def send(django_capture_on_commit_callbacks, **kwargs) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return summary.daily_summaries_send(**kwargs)


def test_a_moderator_who_chose_it_gets_their_territory_oldest_first(
    chooser, queues, django_capture_on_commit_callbacks
):
    assert send(django_capture_on_commit_callbacks) == 1
    [message] = mail.outbox
    assert message.to == [chooser.email]
    assert "4 éléments en attente" in message.subject
    body = message.body
    assert "2 entreprises à vérifier" in body
    assert "Parisienne" not in body
    assert body.index("Ancienne SARL") < body.index("Nouvelle SAS")
    assert "! Ancienne SARL (69) — en attente depuis 1 j 6 h" in body
    assert "- Nouvelle SAS (42)" in body
    assert "1 annonce à examiner" in body and "Palettes à donner" in body
    assert "1 signalement ouvert" in body and "Annonce trompeuse" in body
    assert "/moderation/entreprises/" in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The same day again: nothing twice.
    mail.outbox.clear()
    send(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_nobody_who_did_not_choose_it_and_nothing_when_nothing_waits(
    moderator, chooser, django_capture_on_commit_callbacks
):
    assert send(django_capture_on_commit_callbacks) == 0  # nothing waits
    factories.CompanyFactory(status="pending")
    other = factories.ModeratorFactory(departements=["69"]).user  # did not choose it
    assert send(django_capture_on_commit_callbacks) == 1
    assert [m.to[0] for m in mail.outbox] == [chooser.email]
    assert other.email not in {m.to[0] for m in mail.outbox}


def test_the_unsubscribe_link_turns_the_summary_off(
    chooser, queues, client, django_capture_on_commit_callbacks
):
    send(django_capture_on_commit_callbacks)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert "résumé quotidien de vos files de modération" in response.content.decode()
    chooser.refresh_from_db()
    assert chooser.moderation_summary is False


def test_account_page_offers_the_choice_to_moderators_only(moderator, company_member, client):
    client.force_login(company_member)
    assert 'name="moderation_summary"' not in client.get("/mon-compte/").content.decode()
    client.force_login(moderator)
    assert 'name="moderation_summary"' in client.get("/mon-compte/").content.decode()
    client.post(
        "/mon-compte/preferences/",
        {
            "match_emails": "instant",
            "message_reminders": "on",
            "saved_search_digest": "daily",
            "language": "fr",
            "moderation_summary": "on",
        },
    )
    moderator.refresh_from_db()
    assert moderator.moderation_summary is True


def test_the_summary_is_a_daily_scheduled_job():
    from bourse.core.schedule import autodiscover

    assert autodiscover()["moderation.daily_summary"].every == timedelta(days=1)


def test_in_a_crisis_the_summary_marks_items_overdue_sooner_and_says_so(
    chooser, queues, national_moderator, django_capture_on_commit_callbacks
):
    from bourse.moderation import crises

    crises.crisis_open(
        by=national_moderator,
        moderator=national_moderator.moderator,
        title="Crue",
        message="Stockage recherché.",
        departements=["69", "13"],
        starts_at=timezone.now(),
    )
    send(django_capture_on_commit_callbacks)
    body = mail.outbox[0].body
    # 5 h waiting in Rhône: past the crisis delay (4 h), not the usual one (24 h).
    assert "! Palettes à donner" in body
    assert "- Nouvelle SAS (42)" in body
    assert "En crise (69) : plus de 4 h." in body
