"""A company's notifications: API list and mark-read, the page, the nav badge."""

import pytest
from django.urls import reverse

from bourse.notifications.models import Notification
from bourse.notifications.services import notify
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications/"


@pytest.fixture
def notes(company, other_company):
    mine = [
        notify(company=company, kind="match", title=f"Correspondance {i}", url="/suggestions/")
        for i in range(3)
    ]
    notify(company=other_company, kind="match", title="Pas pour vous")
    return mine


def test_api_lists_my_company_notifications_newest_first(client_for, company_member, notes):
    body = client_for(company_member).get(API).json()

    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [n.pk for n in reversed(notes)]
    assert body["unread_count"] == 3
    first = body["results"][0]
    assert {k: first[k] for k in ("kind", "title", "url", "read")} == {
        "kind": "match",
        "title": "Correspondance 2",
        "url": "/suggestions/",
        "read": False,
    }


def test_api_list_query_count_is_pinned(
    client_for, company_member, notes, django_assert_num_queries
):
    client = client_for(company_member)
    # count, page, unread count (the test client keeps the user's membership loaded)
    with django_assert_num_queries(3):
        client.get(API)


def test_mark_read_up_to_an_id_then_all(client_for, company_member, notes, other_company):
    client = client_for(company_member)

    response = client.post(API + "read/", {"up_to": notes[1].pk})
    assert response.status_code == 200
    assert response.json() == {"marked": 2, "unread_count": 1}

    assert client.post(API + "read/", {}).json() == {"marked": 1, "unread_count": 0}
    # The other company's notification is untouched.
    assert Notification.objects.get(company=other_company).read_at is None


def test_anonymous_is_401_and_user_without_company_has_none(api_client, client_for, notes):
    assert api_client.get(API).status_code == 401
    assert api_client.post(API + "read/").status_code == 401
    loner = client_for(factories.UserFactory())
    assert loner.get(API).json()["count"] == 0
    assert loner.post(API + "read/").json() == {"marked": 0, "unread_count": 0}
    assert Notification.objects.filter(read_at__isnull=True).count() == 4


def test_bad_up_to_is_400(client_for, company_member, notes):
    response = client_for(company_member).post(API + "read/", {"up_to": "abc"})
    assert response.status_code == 400
    assert "up_to" in response.json()


def test_page_lists_notifications_and_marks_all_read(client, company_member, notes):
    client.force_login(company_member)

    html = client.get(reverse("notifications:list")).content.decode()
    assert "Correspondance 2" in html and "Pas pour vous" not in html
    assert "Tout marquer comme lu" in html
    assert "data-notification-count>3<" in html  # the nav badge, filled server-side

    response = client.post(reverse("notifications:mark_read"))
    assert response.status_code == 302
    html = client.get(reverse("notifications:list")).content.decode()
    assert "data-notification-count hidden>0<" in html
    assert not Notification.objects.filter(company=company_member.membership.company, read_at=None)


def test_page_needs_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, company_member, notes):
    client.force_login(company_member)

    response = client.get(reverse("notifications:open", args=[notes[0].pk]))

    assert response.status_code == 302 and response["Location"] == "/suggestions/"
    notes[0].refresh_from_db()
    assert notes[0].read_at is not None
    assert Notification.objects.filter(read_at__isnull=True).count() == 3  # 2 mine + 1 other


def test_another_company_notification_cannot_be_opened(client, other_admin, notes):
    client.force_login(other_admin)
    assert client.get(reverse("notifications:open", args=[notes[0].pk])).status_code == 404
    notes[0].refresh_from_db()
    assert notes[0].read_at is None


def test_an_outside_link_is_not_followed(client, company_member, company):
    note = notify(company=company, kind="match", title="x", url="https://evil.example/")
    client.force_login(company_member)
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_reading_notifications_tells_the_company_s_open_pages(company, monkeypatch):
    """Every tab's bell follows a read made elsewhere: one `notification.read` event to the
    company when something was marked read, none otherwise."""
    from bourse.notifications import services

    sent = []
    monkeypatch.setattr(
        services.realtime,
        "send_event_on_commit",
        lambda **kwargs: sent.append((kwargs["companies"], kwargs["event"])),
    )
    first, second = (factories.NotificationFactory(company=company) for _ in range(2))
    expected = ((company.pk,), {"type": "notification.read", "company": company.pk})

    services.notification_mark_read(notification=first)
    assert sent == [expected]
    services.notification_mark_read(notification=first)  # already read: nothing to say
    assert sent == [expected]
    assert first.read_at is not None

    assert services.notifications_mark_read(company=company) == 1
    assert sent == [expected, expected]
    assert services.notifications_mark_read(company=company) == 0
    assert sent == [expected, expected]
    second.refresh_from_db()
    assert second.read_at is not None
