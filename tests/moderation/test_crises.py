"""Crisis mode, the moderators' side: open, close, list, who may, what is audited, and the
public list of active crises; the dates that start and end a crisis by themselves."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bourse.listings.models import Category, Crisis
from bourse.moderation import crises as crisis_services
from bourse.moderation.models import AuditLogEntry

pytestmark = pytest.mark.django_db

URL = "/api/v1/moderation/crises/"
PUBLIC_URL = "/api/v1/crises/"


def _body(**changes) -> dict:
    body = {
        "title": "Inondations de la Saône",
        "message": "Des entreprises ont besoin de stockage au sec et de pompes.",
        "departements": ["69"],
        "starts_at": timezone.now().isoformat(),
        "priority_categories": ["entrepot-sec", "equipements"],
    }
    body.update(changes)
    return body


def _open(by, departements=("69",), **changes) -> Crisis:
    moderator = by.moderator
    values = {
        "title": "Crise",
        "message": "Message aux entreprises.",
        "departements": list(departements),
        "starts_at": timezone.now(),
        "ends_at": None,
        "priority_categories": [],
    }
    values.update(changes)
    return crisis_services.crisis_open(by=by, moderator=moderator, **values)


# --- Opening -------------------------------------------------------------------------------


def test_moderator_opens_a_crisis_of_their_territory(client_for, moderator_69):
    response = client_for(moderator_69).post(URL, _body(), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "active"
    assert data["departements"] == ["69"]
    assert data["priority_categories"] == ["entrepot-sec", "equipements"]
    assert data["opened_by"] == moderator_69.email
    crisis = Crisis.objects.get(pk=data["id"])
    assert set(crisis.priority_categories.values_list("slug", flat=True)) == {
        "entrepot-sec",
        "equipements",
    }
    entry = AuditLogEntry.objects.get(action="crisis.open")
    assert (entry.actor, entry.target_type, entry.target_id, entry.departement) == (
        moderator_69,
        "crisis",
        crisis.pk,
        "69",
    )
    assert entry.data["priority_categories"] == ["entrepot-sec", "equipements"]


def test_moderator_cannot_open_a_crisis_outside_their_territory(client_for, moderator_69):
    response = client_for(moderator_69).post(URL, _body(departements=["69", "42"]), format="json")

    assert response.status_code == 400
    assert "Hors de votre territoire : 42" in response.json()["departements"][0]
    assert not Crisis.objects.exists()
    assert not AuditLogEntry.objects.exists()


def test_national_moderator_opens_a_crisis_anywhere_audited_per_departement(client_for, national):
    response = client_for(national).post(URL, _body(departements=["13", "1", "2a"]), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["departements"] == ["01", "13", "2A"]
    assert sorted(
        AuditLogEntry.objects.filter(action="crisis.open").values_list("departement", flat=True)
    ) == ["01", "13", "2A"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", ""),
        ({"title": "Deux\nlignes"}, "title", ""),
        ({"message": ""}, "message", ""),
        ({"departements": []}, "departements", ""),
        ({"departements": ["99"]}, "departements", "Département inconnu : 99"),
        ({"priority_categories": ["n-existe-pas"]}, "priority_categories", "n-existe-pas"),
        ({"starts_at": "demain"}, "starts_at", ""),
        ({"ends_at": "2020-01-01T00:00:00+01:00"}, "ends_at", ""),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_stored(
    client_for, moderator_69, changes, field, message
):
    response = client_for(moderator_69).post(URL, _body(**changes), format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert message in " ".join(response.json()[field])
    assert not Crisis.objects.exists()


def test_end_must_follow_start(client_for, moderator_69):
    start = timezone.now() + timedelta(days=2)
    response = client_for(moderator_69).post(
        URL,
        _body(starts_at=start.isoformat(), ends_at=(start - timedelta(hours=1)).isoformat()),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["ends_at"] == ["La fin doit suivre le début."]


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 401), ("plain_user", 403), ("company_member", 403)]
)
def test_only_moderators_open_or_list_crises(as_role, who, expected):
    client = as_role(who)
    assert client.post(URL, _body(), format="json").status_code == expected
    assert client.get(URL).status_code == expected
    assert not Crisis.objects.exists()


def test_moderators_list_the_crises_of_their_territory(client_for, moderator_69, national):
    mine = _open(national, ["69", "42"], title="Rhône et Loire")
    _open(national, ["13"], title="Marseille")

    titles = [c["title"] for c in client_for(moderator_69).get(URL).json()]
    assert titles == [mine.title]
    assert len(client_for(national).get(URL).json()) == 2


# --- Closing -------------------------------------------------------------------------------


def test_closing_ends_the_crisis_and_is_audited(client_for, moderator_69):
    crisis = _open(moderator_69)

    response = client_for(moderator_69).post(f"{URL}{crisis.pk}/close/")

    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert client_for(moderator_69).get(PUBLIC_URL, {"departement": "69"}).json() == []
    entry = AuditLogEntry.objects.get(action="crisis.close")
    assert (entry.actor, entry.target_id, entry.data) == (
        moderator_69,
        crisis.pk,
        {"was": "active"},
    )
    again = client_for(moderator_69).post(f"{URL}{crisis.pk}/close/")
    assert again.status_code == 400
    assert "déjà terminée" in again.json()["non_field_errors"][0]


def test_another_territory_gets_404_and_a_shared_crisis_needs_a_national_moderator(
    client_for, moderator_69, moderator_75, national
):
    shared = _open(national, ["69", "42"])

    assert client_for(moderator_75).post(f"{URL}{shared.pk}/close/").status_code == 404
    refused = client_for(moderator_69).post(f"{URL}{shared.pk}/close/")
    assert refused.status_code == 403
    assert Crisis.objects.get(pk=shared.pk).closed_at is None
    assert client_for(national).post(f"{URL}{shared.pk}/close/").status_code == 200


def test_members_cannot_close_a_crisis(as_role, moderator_69):
    crisis = _open(moderator_69)
    for role, expected in (("anonymous", 401), ("company_member", 403)):
        assert as_role(role).post(f"{URL}{crisis.pk}/close/").status_code == expected
    assert Crisis.objects.get(pk=crisis.pk).closed_at is None


# --- The public list and time ------------------------------------------------------------


def test_public_list_gives_the_active_crises_covering_a_departement(api_client, national):
    now = timezone.now()
    active = _open(national, ["69", "01"], title="En cours", ends_at=now + timedelta(days=3))
    _open(national, ["69"], title="Programmée", starts_at=now + timedelta(hours=2))
    closed = _open(national, ["69"], title="Clôturée")
    crisis_services.crisis_close(crisis=closed, by=national)
    _open(national, ["13"], title="Ailleurs")

    found = api_client.get(PUBLIC_URL, {"departement": "69"}).json()

    assert [c["title"] for c in found] == ["En cours"]
    assert found[0]["id"] == active.pk
    assert set(found[0]) == {
        "id",
        "title",
        "message",
        "departements",
        "starts_at",
        "ends_at",
        "priority_categories",
    }
    assert api_client.get(PUBLIC_URL, {"departement": "42"}).json() == []
    assert {c["title"] for c in api_client.get(PUBLIC_URL).json()} == {"En cours", "Ailleurs"}
    bad = api_client.get(PUBLIC_URL, {"departement": "zz"})
    assert bad.status_code == 400 and "departement" in bad.json()


def test_a_crisis_is_active_exactly_between_its_start_and_its_end(national):
    start = timezone.now() + timedelta(days=1)
    crisis = _open(national, ["69"], starts_at=start, ends_at=start + timedelta(days=2))

    assert crisis.status_at(start - timedelta(seconds=1)) == "scheduled"
    assert crisis.status_at(start) == "active"
    assert crisis.status_at(start + timedelta(days=2) - timedelta(seconds=1)) == "active"
    assert crisis.status_at(start + timedelta(days=2)) == "ended"
    assert not Crisis.objects.active(start - timedelta(seconds=1)).exists()
    assert Crisis.objects.active(start).get() == crisis
    assert not Crisis.objects.active(start + timedelta(days=2)).exists()


def test_a_scheduled_crisis_starts_by_itself(api_client, national):
    crisis = _open(national, ["69"], starts_at=timezone.now() + timedelta(hours=1))
    assert api_client.get(PUBLIC_URL, {"departement": "69"}).json() == []

    # An hour later (moved back in time rather than waiting): nothing ran, it is active.
    Crisis.objects.filter(pk=crisis.pk).update(starts_at=timezone.now() - timedelta(seconds=1))
    from django.core.cache import cache

    cache.clear()  # what a minute does to the cached crises
    assert [c["id"] for c in api_client.get(PUBLIC_URL, {"departement": "69"}).json()] == [
        crisis.pk
    ]


def test_the_job_audits_a_scheduled_start_and_an_end_by_date_once(national):
    now = timezone.now()
    _open(
        national,
        ["69", "42"],
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    assert crisis_services.crisis_steps_record(now=now) == 0

    assert crisis_services.crisis_steps_record(now=now + timedelta(hours=2)) == 1
    assert crisis_services.crisis_steps_record(now=now + timedelta(hours=3)) == 0
    starts = AuditLogEntry.objects.filter(action="crisis.start")
    assert sorted(starts.values_list("departement", flat=True)) == ["42", "69"]
    assert {e.actor_email for e in starts} == {national.email}

    assert crisis_services.crisis_steps_record(now=now + timedelta(days=2)) == 1
    assert crisis_services.crisis_steps_record(now=now + timedelta(days=3)) == 0
    assert AuditLogEntry.objects.filter(action="crisis.end").count() == 2


def test_a_crisis_starting_at_once_or_closed_before_its_start_has_no_start_entry(national):
    now = timezone.now()
    _open(national, ["69"])
    later = _open(national, ["13"], starts_at=now + timedelta(hours=1))
    crisis_services.crisis_close(crisis=later, by=national)

    assert crisis_services.crisis_steps_record(now=now + timedelta(hours=2)) == 0
    assert not AuditLogEntry.objects.filter(action="crisis.start").exists()


def test_the_start_is_audited_even_when_the_opener_account_is_gone(national):
    crisis = _open(national, ["69"], starts_at=timezone.now() + timedelta(minutes=5))
    email = national.email
    national.delete()

    crisis_services.crisis_steps_record(now=timezone.now() + timedelta(hours=1))

    entry = AuditLogEntry.objects.get(action="crisis.start", target_id=crisis.pk)
    assert (entry.actor_id, entry.actor_email) == (None, email)


def test_a_parent_priority_category_pins_its_children(national):
    parent = Category.objects.get(slug="stockage")
    _open(national, ["69"], priority_categories=["stockage"])

    from bourse.listings.crises import pin_for

    pin = pin_for("69")
    children = set(parent.children.values_list("pk", flat=True))
    assert children and children <= pin.rules[0][0]
    assert pin_for("13") is None


def test_audit_log_page_names_crisis_steps(client, moderator_69):
    _open(moderator_69, title="Tempête")
    client.force_login(moderator_69)
    page = client.get(reverse("moderation:log")).content.decode()
    assert "Crise ouverte" in page
    assert "crise « Tempête »" in page
